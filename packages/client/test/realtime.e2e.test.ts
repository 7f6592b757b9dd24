import { randomUUID } from "node:crypto";
import { ApiGatewayManagementApiClient, DeleteConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import WebSocket from "ws";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { withActor } from "@coach/core/actor";
import * as Connection from "@coach/core/connection";
import { testStackConfig } from "../../../test/env";
import { startLocalStack, type LocalStack } from "../../local/src/stack";
import {
  ConnectionClosedError,
  ConversationClient,
  RealtimeClient,
  SessionError,
  type Message,
  type RealtimeClientOptions,
  type RealtimeEvent,
} from "../src/index";
import { eventually, recordingWebSocket, startProxy, type Proxy } from "./support";
import { replyGate } from "../../../test/offline-coach-per-turn";

// The offline coach's knobs change between turns here; the product reads them once per process.
vi.mock("@coach/functions/shared/ai-provider", () => import("../../../test/offline-coach-per-turn"));

/**
 * RealtimeClient against the local runtime with the real `ws` package:
 * whole replies, a server-side drop mid-reply, an abrupt network cut before
 * the message was acknowledged, and a dead (silent) connection found by the
 * heartbeat. Each ends with the client's history equal to the server's; a
 * reply cut mid-stream is continued, never shown twice nor with a hole.
 */
let stack: LocalStack;
let proxy: Proxy;
const clients: RealtimeClient[] = [];

beforeAll(async () => {
  stack = await startLocalStack(testStackConfig());
  proxy = await startProxy(stack.wsUrl);
});

afterEach(async () => {
  delete process.env.OFFLINE_COACH_DELAY_MS;
  replyGate.open();
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

afterAll(async () => {
  await proxy?.stop();
  await stack?.stop();
});

function setup(options: Partial<RealtimeClientOptions> & { url?: string } = {}) {
  const user = `rt-${randomUUID()}`;
  const token = stack.issuer.token(user);
  const api = new ConversationClient({ baseUrl: stack.httpUrl, token });
  const recording = recordingWebSocket();
  const client = new RealtimeClient({
    url: stack.wsUrl,
    token,
    WebSocket: recording.WebSocket,
    backoff: { initialMs: 50, maxMs: 400 },
    ...options,
  } as RealtimeClientOptions);
  clients.push(client);
  const events: RealtimeEvent[] = [];
  client.onAny((event) => events.push(event));
  return { user, api, client, events, recording };
}

const ofType = <T extends RealtimeEvent["type"]>(events: RealtimeEvent[], type: T) => events.filter((e): e is Extract<RealtimeEvent, { type: T }> => e.type === type);

/** The client's history is the server's, message for message, with no seq or id held twice. */
async function expectSameHistory(api: ConversationClient, client: RealtimeClient, sessionId: string): Promise<Message[]> {
  const server = await api.allMessages(sessionId);
  const local = client.history(sessionId);
  expect(local).toEqual(server);
  expect(new Set(local.map((m) => m.id)).size).toBe(local.length);
  expect(local.map((m) => m.seq)).toEqual(local.map((_, i) => i + 1));
  expect(client.lastSeq(sessionId)).toBe(server.length);
  return server;
}

/** What the app was shown of a reply: its deltas, each starting where the one before ended (every character once), joined. */
function shownText(events: RealtimeEvent[], messageId: string): string {
  const deltas = ofType(events, "message_delta").filter((event) => event.messageId === messageId);
  let next = 0;
  for (const event of deltas) {
    expect(event.offset).toBe(next);
    next += event.delta.length;
  }
  return deltas.map((event) => event.delta).join("");
}

/** Counts how often a promise settles (a promise can settle once; this also checks it settles with the value expected). */
function track<T>(promise: Promise<T>) {
  const state = { resolved: 0, rejected: 0, value: undefined as T | undefined, error: undefined as unknown };
  const done = promise.then(
    (value) => {
      state.resolved++;
      state.value = value;
    },
    (error: unknown) => {
      state.rejected++;
      state.error = error;
    },
  );
  return { state, done };
}

describe("RealtimeClient", () => {
  it("sends and resolves with the streamed reply; the typed events and the async stream see it all", async () => {
    const { user, api, client, events } = setup();
    const session = await api.createSession();
    const streamed: string[] = [];
    client.on("message_delta", (event) => streamed.push(event.delta));
    const iterator = client.events();

    const joined = await client.join(session.id);
    expect(joined.session.id).toBe(session.id);
    expect(joined.messages).toEqual([]);
    const reply = await client.send(session.id, "I want to grow weekly active users");
    expect(reply).toMatchObject({ role: "assistant", seq: 2, status: "complete" });
    expect(streamed.join("")).toBe(reply.content);
    expect(ofType(events, "message_accepted")).toHaveLength(1);
    expect(ofType(events, "history_updated").flatMap((e) => e.added.map((m) => m.seq))).toEqual([1, 2]);
    await expectSameHistory(api, client, session.id);

    // A second message, and the status request.
    const second = await client.send(session.id, "Weekly active users from 12000 to 18000 by June 30", { clientMessageId: "second" });
    expect(second.seq).toBe(4);
    expect(client.history(session.id)[2]?.clientMessageId).toBe("second");
    const status = await client.status(session.id);
    expect(status).toMatchObject({ turnInProgress: false, connections: 1 });
    await expectSameHistory(api, client, session.id);

    // A second connection of the same user gets the whole history on join; another user's client gets not_found.
    const again = new RealtimeClient({ url: stack.wsUrl, token: stack.issuer.token(user), WebSocket });
    const stranger = new RealtimeClient({ url: stack.wsUrl, token: stack.issuer.token(`rt-${randomUUID()}`), WebSocket });
    clients.push(again, stranger);
    expect((await again.join(session.id)).messages).toEqual(client.history(session.id));
    await expect(stranger.join(session.id)).rejects.toMatchObject({ name: "SessionError", code: "not_found" });
    await client.close();
    const types: string[] = [];
    for await (const event of iterator) types.push(event.type);
    expect(types.at(-1)).toBe("closed");
    expect(types).toContain("message_complete");
    await expect(client.send(session.id, "after close")).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it("survives a server-side drop mid-reply: reconnects, rejoins with afterSeq, ends with the full history and one resolution", async () => {
    const { user, api, client, events, recording } = setup();
    const session = await api.createSession();
    await client.join(session.id);
    await client.send(session.id, "I want to grow weekly active users", { clientMessageId: "first" });
    replyGate.holdAfter(3); // the reply is mid-stream, however slow this machine is, until the drop is done

    const mark = events.length;
    const pending = track(client.send(session.id, "Weekly active users from 12000 to 18000 by June 30", { clientMessageId: "cut" }));
    const deltas = () => ofType(events.slice(mark), "message_delta");
    await eventually("deltas of the reply", () => deltas().length, (n) => n >= 1);
    const cutId = deltas()[0]!.messageId;
    expect(client.partialText(cutId)).toBe(deltas().map((d) => d.delta).join(""));
    const [connectionId, ...others] = await withActor({ type: "user", userId: user }, () => Connection.ofSession(session.id));
    expect(others).toEqual([]);
    const management = new ApiGatewayManagementApiClient({
      endpoint: stack.managementEndpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    await management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    replyGate.open();

    await pending.done;
    expect(pending.state).toMatchObject({ resolved: 1, rejected: 0 });
    const reply = pending.state.value!;
    expect(reply).toMatchObject({ id: cutId, role: "assistant", seq: 4, status: "complete" });
    // The partial text was kept and continued (from the reply so far, or the stored reply): nothing discarded, nothing twice.
    expect(ofType(events, "stream_reset")).toEqual([]);
    expect(shownText(events, cutId)).toBe(reply.content);
    expect(client.partialText(cutId)).toBeUndefined();

    const lifecycle = events.filter((e) => ["disconnected", "reconnecting", "connected", "stream_reset"].includes(e.type)).map((e) => e.type);
    expect(lifecycle).toEqual(["connected", "disconnected", "reconnecting", "connected"]);
    expect(ofType(events, "connected").map((e) => e.reconnect)).toEqual([false, true]);
    // Rejoined from where it was: the user message of the cut turn was already held.
    const joins = recording.sent.map((frame) => JSON.parse(frame) as { action: string; afterSeq?: number }).filter((f) => f.action === "join_session");
    expect(joins.map((f) => f.afterSeq)).toEqual([undefined, 3]);
    // The reply came once: in the rejoin's history or as message_complete, never both in the local history.
    const server = await expectSameHistory(api, client, session.id);
    expect(server.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(server[3]).toEqual(reply);
    expect(server.filter((m) => m.clientMessageId === "cut")).toHaveLength(1);
    expect(recording.sockets).toHaveLength(2);

    // Still usable afterwards.
    const after = await client.send(session.id, "Thanks, what next?");
    expect(after.seq).toBe(6);
    await expectSameHistory(api, client, session.id);
  });

  it("survives an abrupt cut (RST, no close frame) mid-reply", async () => {
    replyGate.holdAfter(3);
    const { api, client, events } = setup({ url: proxy.url });
    const session = await api.createSession();
    await client.join(session.id);
    const pending = track(client.send(session.id, "I want to grow weekly active users"));
    await eventually("a delta of the reply", () => ofType(events, "message_delta").length, (n) => n >= 1);
    proxy.cutAll();
    replyGate.open();
    await pending.done;
    expect(pending.state).toMatchObject({ resolved: 1, rejected: 0 });
    expect(ofType(events, "disconnected")).toEqual([expect.objectContaining({ code: 1006, willReconnect: true })]);
    expect(ofType(events, "stream_reset")).toHaveLength(0);
    const server = await expectSameHistory(api, client, session.id);
    expect(server.map((m) => m.seq)).toEqual([1, 2]);
    expect(server[1]).toEqual(pending.state.value);
    expect(shownText(events, server[1]!.id)).toBe(server[1]!.content);
  });

  it("a reply still being written after the rejoin is rebuilt from reply_in_progress: no stream_reset, each character once", async () => {
    replyGate.holdAfter(3); // the reply stays mid-stream until the rejoined connection has the reply so far
    const { api, client, events, recording } = setup({ url: proxy.url });
    const session = await api.createSession();
    await client.join(session.id);
    const pending = track(client.send(session.id, "I want to grow weekly active users"));
    await eventually("a delta of the reply", () => ofType(events, "message_delta").length, (n) => n >= 1);
    const replyId = ofType(events, "message_delta")[0]!.messageId;
    const before = client.partialText(replyId);
    proxy.cutAll();
    // The frames as the server sent them: the client passes reply_in_progress on as deltas only.
    const greetings = () => recording.received.map((frame) => JSON.parse(frame) as { type: string; messageId?: string }).filter((f) => f.type === "reply_in_progress");
    await eventually("reply_in_progress on the new socket", () => greetings().length, (n) => n >= 1);
    expect(greetings()).toEqual([expect.objectContaining({ messageId: replyId })]);
    // It continued the text held: at most it added what the cut socket never delivered.
    expect(client.partialText(replyId)?.startsWith(before!)).toBe(true);
    replyGate.open();

    await pending.done;
    expect(pending.state).toMatchObject({ resolved: 1, rejected: 0 });
    const reply = pending.state.value!;
    expect(reply).toMatchObject({ id: replyId, status: "complete" });
    expect(ofType(events, "stream_reset")).toEqual([]);
    expect(shownText(events, replyId)).toBe(reply.content);
    expect(client.partialText(replyId)).toBeUndefined();
    await expectSameHistory(api, client, session.id);
  });

  it("a drop before message_accepted: the send goes again with the same clientMessageId, and there is still one user message and one reply", async () => {
    process.env.OFFLINE_COACH_DELAY_MS = "20"; // the reply is still being written when the client comes back
    const { api, client, events, recording } = setup({ url: proxy.url });
    const session = await api.createSession();
    await client.join(session.id);
    // The server's frames stop reaching the client: it will never see message_accepted on this connection.
    proxy.holdServerFrames();
    const pending = track(client.send(session.id, "I want to grow weekly active users", { clientMessageId: "held" }));
    await eventually("the message stored on the server", () => api.history(session.id).then((p) => p.messages.length), (n) => n >= 1);
    expect(ofType(events, "message_accepted")).toEqual([]);
    proxy.cutAll();

    await pending.done;
    expect(pending.state).toMatchObject({ resolved: 1, rejected: 0 });
    const sends = recording.sent.map((frame) => JSON.parse(frame) as { action: string; clientMessageId?: string }).filter((f) => f.action === "send_message");
    expect(sends.map((f) => f.clientMessageId)).toEqual(["held", "held"]);
    const server = await expectSameHistory(api, client, session.id);
    expect(server.map((m) => [m.role, m.clientMessageId])).toEqual([
      ["user", "held"],
      ["assistant", undefined],
    ]);
    expect(pending.state.value).toEqual(server[1]);
  });

  it("the heartbeat finds a dead connection (no pong) and replaces it", async () => {
    const { api, client, events } = setup({ url: proxy.url, heartbeatMs: 150, pongTimeoutMs: 300 });
    const session = await api.createSession();
    await client.join(session.id);
    await eventually("a pong", () => ofType(events, "pong").length, (n) => n >= 1);
    proxy.freezeAll(); // nothing arrives, nothing closes: only the missing pong tells
    await eventually("the reconnect", () => ofType(events, "connected").length, (n) => n >= 2);
    expect(ofType(events, "disconnected")[0]).toMatchObject({ code: 4009, reason: "no pong", willReconnect: true });
    const reply = await client.send(session.id, "Are you still there?");
    expect(reply.role).toBe("assistant");
    await expectSameHistory(api, client, session.id);
  });

  it("send() on a fresh client connects and joins by itself; many sends in a row each settle with their own reply", async () => {
    const { api, client, recording } = setup({ url: proxy.url });
    const session = await api.createSession({ flow: "chat" });
    const first = await client.send(session.id, "hello");
    expect(first.seq).toBe(2);
    expect(recording.sent.map((frame) => (JSON.parse(frame) as { action: string }).action)).toEqual(["join_session", "send_message"]);
    for (const text of ["one", "two"]) expect((await client.send(session.id, text)).role).toBe("assistant");
    await expectSameHistory(api, client, session.id);
  });

  it("rejects a send with a typed session_error; a retryable one can be retried with the same clientMessageId", async () => {
    replyGate.holdAfter(1); // the first reply is still streaming when the second message arrives
    const { api, client } = setup();
    const session = await api.createSession();
    await client.join(session.id);
    const first = client.send(session.id, "I want to grow weekly active users");
    await new Promise((resolve) => client.once("message_accepted", resolve)); // frames may be handled in any order
    const busy = await client.send(session.id, "And another thing", { clientMessageId: "busy" }).catch((error: unknown) => error);
    expect(busy).toBeInstanceOf(SessionError);
    expect(busy).toMatchObject({ code: "turn_in_progress", retryable: true, clientMessageId: "busy" });
    replyGate.open();
    await first;
    const retried = await client.send(session.id, "And another thing", { clientMessageId: (busy as SessionError).clientMessageId });
    expect(retried.seq).toBe(4);
    // With retries, the client waits and resends by itself.
    const third = client.send(session.id, "One more", { clientMessageId: "third" });
    await new Promise((resolve) => client.once("message_accepted", resolve));
    const fourth = await client.send(session.id, "And the last", { clientMessageId: "fourth", retries: 20 });
    expect((await third).seq).toBe(6);
    expect(fourth.seq).toBe(8);
    await expectSameHistory(api, client, session.id);
  });

  it("gives up after maxAttempts and rejects what is pending; a refused first connect rejects", async () => {
    const refused = new RealtimeClient({ url: stack.wsUrl, token: "not-a-jwt", WebSocket });
    clients.push(refused);
    await expect(refused.connect()).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(refused.state).toBe("closed");

    const { api, client, events } = setup({ url: proxy.url, backoff: { initialMs: 20, maxMs: 20, maxAttempts: 2 } });
    const session = await api.createSession();
    await client.join(session.id);
    await proxy.stop(); // nothing listens any more: every attempt fails
    const pending = client.send(session.id, "hello?");
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(ofType(events, "reconnecting").map((e) => e.attempt)).toEqual([1, 2]);
    expect(ofType(events, "closed")).toHaveLength(1);
    proxy = await startProxy(stack.wsUrl);
  });
});
