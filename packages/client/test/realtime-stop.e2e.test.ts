import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { testStackConfig } from "../../../test/env";
import { startLocalStack, type LocalStack } from "../../local/src/stack";
import { ConversationClient, RealtimeClient, SessionError, type Message, type RealtimeClientOptions, type RealtimeEvent } from "../src/index";
import { eventually, recordingWebSocket } from "./support";
import { replyGate, streams } from "../../../test/offline-coach-per-turn";

// The offline coach's replies are held mid-stream here; the product reads its knobs once per process.
vi.mock("@coach/functions/shared/ai-provider", () => import("../../../test/offline-coach-per-turn"));

/**
 * `RealtimeClient.stop()` against the local runtime: a reply held
 * mid-stream (replyGate, so "mid-reply" is a state, not a race) is stopped;
 * the send of its turn resolves with the stored, incomplete message, whose
 * content is exactly what the app was shown. Stopping when nothing is
 * written, and stopping another user's session, answer as the protocol says.
 */
let stack: LocalStack;
const clients: RealtimeClient[] = [];

beforeAll(async () => {
  stack = await startLocalStack(testStackConfig());
});

afterEach(async () => {
  replyGate.open();
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

afterAll(async () => {
  await stack?.stop();
});

function realtime(token: string, options: Partial<RealtimeClientOptions> = {}) {
  const recording = recordingWebSocket();
  const client = new RealtimeClient({ url: stack.wsUrl, token, WebSocket: recording.WebSocket, backoff: { initialMs: 50, maxMs: 400 }, ...options } as RealtimeClientOptions);
  clients.push(client);
  const events: RealtimeEvent[] = [];
  client.onAny((event) => events.push(event));
  return { client, events, recording };
}

function setup() {
  const user = `stop-${randomUUID()}`;
  const token = stack.issuer.token(user);
  const api = new ConversationClient({ baseUrl: stack.httpUrl, token });
  return { user, token, api, ...realtime(token) };
}

const ofType = <T extends RealtimeEvent["type"]>(events: RealtimeEvent[], type: T) => events.filter((e): e is Extract<RealtimeEvent, { type: T }> => e.type === type);

/** What the app was shown of a reply: its deltas, each starting where the one before ended, joined. */
function shownText(events: RealtimeEvent[], messageId: string): string {
  const deltas = ofType(events, "message_delta").filter((event) => event.messageId === messageId);
  let next = 0;
  for (const event of deltas) {
    expect(event.offset).toBe(next);
    next += event.delta.length;
  }
  return deltas.map((event) => event.delta).join("");
}

describe("RealtimeClient.stop", () => {
  it("mid-reply: resolves { stopping: true }; the send resolves with the incomplete message, as far as the app was shown it", async () => {
    const { api, client, events } = setup();
    const session = await api.createSession();
    await client.join(session.id);
    replyGate.holdAfter(3);
    const sent = client.send(session.id, "I want to grow weekly active users");
    await eventually("a delta of the reply", () => ofType(events, "message_delta").length, (n) => n >= 1);
    const replyId = ofType(events, "message_delta")[0]!.messageId;

    expect(await client.stop(session.id)).toEqual({ stopping: true });
    const reply: Message = await sent;
    expect(reply).toMatchObject({ id: replyId, role: "assistant", status: "incomplete", stopReason: "user" });
    expect(shownText(events, replyId)).toBe(reply.content);
    expect(ofType(events, "message_complete")).toEqual([expect.objectContaining({ stopped: true, message: reply })]);
    expect(ofType(events, "stop_acknowledged")).toEqual([expect.objectContaining({ sessionId: session.id, stopping: true })]);
    expect(ofType(events, "stream_reset")).toEqual([]);
    expect(client.partialText(replyId)).toBeUndefined();
    // The provider's stream was aborted, and wrote nothing after.
    await eventually("the provider's stream ended", () => streams.at(-1)?.ended, (ended) => ended === true);
    expect(streams.at(-1)).toMatchObject({ aborted: true, deltasAfterAbort: 0 });
    expect(client.history(session.id)).toEqual(await api.allMessages(session.id));

    // The session goes on: the next message gets a whole reply.
    replyGate.open();
    const next = await client.send(session.id, "Let's continue");
    expect(next).toMatchObject({ seq: 4, status: "complete" });
  });

  it("when nothing is being written: { stopping: false }, and stopping twice is harmless", async () => {
    const { api, client } = setup();
    const session = await api.createSession();
    expect(await client.stop(session.id)).toEqual({ stopping: false }); // a fresh client: connects and joins first
    await client.send(session.id, "I want to grow weekly active users");
    expect(await client.stop(session.id)).toEqual({ stopping: false });
    expect(await client.stop(session.id)).toEqual({ stopping: false });
    expect(client.history(session.id).map((m) => m.status)).toEqual(["complete", "complete"]);
  });

  it("from the user's other connection, which joins mid-reply: it is shown the reply so far, stops it, and the first send resolves", async () => {
    const { token, api, client, events } = setup();
    const session = await api.createSession();
    await client.join(session.id);
    replyGate.holdAfter(3);
    const sent = client.send(session.id, "I want to grow weekly active users");
    await eventually("a delta of the reply", () => ofType(events, "message_delta").length, (n) => n >= 1);
    const replyId = ofType(events, "message_delta")[0]!.messageId;

    const other = realtime(token);
    // Joined mid-reply: the reply so far comes as deltas, from offset 0.
    await other.client.join(session.id);
    await eventually("the reply so far on the other connection", () => other.client.partialText(replyId), (text) => text !== undefined);
    expect(await other.client.stop(session.id)).toEqual({ stopping: true });
    const reply = await sent;
    expect(reply).toMatchObject({ status: "incomplete", stopReason: "user" });
    await eventually("message_complete on the other connection", () => ofType(other.events, "message_complete").length, (n) => n >= 1);
    for (const seen of [events, other.events]) {
      expect(shownText(seen, replyId)).toBe(reply.content);
      expect(ofType(seen, "stream_reset")).toEqual([]);
    }
    expect(ofType(other.events, "message_complete")).toEqual([expect.objectContaining({ stopped: true, message: reply })]);
  });

  it("another user's session: rejects with a SessionError not_found, and the reply goes on", async () => {
    const { api, client, events } = setup();
    const session = await api.createSession();
    await client.join(session.id);
    replyGate.holdAfter(3);
    const sent = client.send(session.id, "I want to grow weekly active users");
    await eventually("a delta of the reply", () => ofType(events, "message_delta").length, (n) => n >= 1);

    const stranger = realtime(stack.issuer.token(`stop-${randomUUID()}`));
    const refused = await stranger.client.stop(session.id).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SessionError);
    expect(refused).toMatchObject({ code: "not_found" });
    replyGate.open();
    expect(await sent).toMatchObject({ status: "complete" });
    expect(ofType(events, "message_complete")[0]).not.toHaveProperty("stopped");
  });
});
