import { afterEach, describe, expect, it, vi } from "vitest";
import { withActor } from "@coach/core/actor";
import * as Connection from "@coach/core/connection";
import { newUser } from "../support/api";
import {
  closeAllClients,
  deltasOf,
  essence,
  expectCleanTraffic,
  RealtimeClient,
  sendAndAwaitReply,
  sleep,
  storedMessages,
  streamedText,
} from "./support/ws-client";
import { useRealtimeStack } from "./support/realtime-stack";
import { HANG_CEILING_MS } from "../../../../test/ceiling";
import { replyGate } from "../../../../test/offline-coach-per-turn";

// The offline coach's knobs change between turns here; the product reads them once per process.
vi.mock("@coach/functions/shared/ai-provider", () => import("../../../../test/offline-coach-per-turn"));

/** Faults on the reply path: connections that vanish mid-stream, and a provider that fails mid-stream. */
const realtime = useRealtimeStack();
const connect = (user: string) => realtime.connect(user);
afterEach(() => replyGate.open());

const ofSession = (user: string, sessionId: string) => withActor({ type: "user", userId: user }, () => Connection.ofSession(sessionId));

async function eventually<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = HANG_CEILING_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await sleep(25);
  }
}

describe("a connection that closes mid-stream", () => {
  it("does not stop the reply to the session's other connection, and its records are gone afterwards", async () => {
    replyGate.holdAfter(1); // mid-reply until the connection is gone
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const stays = await connect(user);
    const leaves = await connect(user);
    await stays.join(session.id);
    await leaves.join(session.id);
    const before = await ofSession(user, session.id);
    expect(before).toHaveLength(2);

    const fromLeaves = leaves.mark();
    const fromStays = stays.mark();
    stays.send({ action: "send_message", sessionId: session.id, clientMessageId: "c-gone-1", content: "Hire three senior engineers" });
    await leaves.waitFor("message_delta", () => true, { from: fromLeaves });
    leaves.terminate(); // abrupt: no close frame
    await leaves.closed;
    replyGate.open();

    const complete = await stays.waitFor("message_complete", () => true, { from: fromStays });
    expect(streamedText(stays, complete.message.id, fromStays)).toBe(complete.message.content);
    expect(deltasOf(leaves, complete.message.id, fromLeaves).length).toBeGreaterThan(0);
    expect(leaves.eventsOf("message_complete", fromLeaves)).toEqual([]);
    const stored = await storedMessages(realtime.api, user, session.id);
    expect(stored.map(essence)).toEqual([essence(stays.eventsOf("message_accepted", fromStays)[0]!.message), essence(complete.message)]);

    const remaining = await eventually("connections of the session", () => ofSession(user, session.id), (ids) => ids.length === 1);
    const goneId = before.find((id) => !remaining.includes(id))!;
    expect(goneId).toBeDefined();
    expect(await Connection.get(goneId)).toBeUndefined();
    const status = await stays.request({ action: "get_session_status", sessionId: session.id }, "session_status");
    expect(status).toMatchObject({ turnInProgress: false, connections: 1 });
  });

  it("a connection record whose socket is gone without a $disconnect (410 GoneException on post) is forgotten by the turn, and the live client gets the whole reply", async () => {
    process.env.OFFLINE_COACH_DELAY_MS = "5";
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const live = await connect(user);
    await live.join(session.id);
    // What API Gateway leaves behind when it skips $disconnect: records of a connection id it no longer knows.
    const staleId = `Stale${Date.now().toString(36)}x=`;
    await Connection.register(staleId, user);
    await withActor({ type: "user", userId: user }, () => Connection.join(staleId, session.id));
    expect((await ofSession(user, session.id)).sort()).toContain(staleId);

    const { from, complete } = await sendAndAwaitReply(live, session.id, "c-stale-1", "Open an office in Berlin");
    expect(streamedText(live, complete.message.id, from)).toBe(complete.message.content);
    expect(await ofSession(user, session.id)).not.toContain(staleId);
    expect(await Connection.get(staleId)).toBeUndefined();
  });
});

describe("a provider error mid-stream", () => {
  it("tells the client session_error provider_error (retryable), stores nothing that looks complete, and the session stays usable", async () => {
    process.env.OFFLINE_COACH_DELAY_MS = "15";
    process.env.OFFLINE_COACH_FAIL_AFTER = "3";
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const client = await connect(user);
    await client.join(session.id);

    const from = client.mark();
    const frame = { action: "send_message", sessionId: session.id, clientMessageId: "c-fail-1", content: "Double our conversion rate" } as const;
    client.send(frame);
    const accepted = await client.waitFor("message_accepted", (event) => event.clientMessageId === "c-fail-1", { from });
    const error = await client.waitFor("session_error", () => true, { from });
    expect(error).toMatchObject({ code: "provider_error", retryable: true, sessionId: session.id, requestId: expect.any(String) });
    await client.waitFor("typing_indicator", (event) => !event.on, { from });
    await client.ping();
    expect(client.eventsOf("message_complete", from)).toEqual([]);

    const afterFailure = await storedMessages(realtime.api, user, session.id);
    expect(afterFailure.map(essence)).toEqual([essence(accepted.message)]);
    expect((await realtime.api.get(`/api/sessions/${session.id}`, { as: user })).body).toMatchObject({ messageCount: 1, status: "active" });
    const status = await client.request({ action: "get_session_status", sessionId: session.id }, "session_status");
    expect(status.turnInProgress).toBe(false);

    // The provider recovers: a resend of the same clientMessageId is the retry, and gets the one reply.
    delete process.env.OFFLINE_COACH_FAIL_AFTER;
    const retry = await sendAndAwaitReply(client, session.id, "c-fail-1", frame.content);
    expect(retry.accepted.message).toEqual(accepted.message);
    expect(retry.complete.message).toMatchObject({ seq: 2, role: "assistant", status: "complete" });
    expect(streamedText(client, retry.complete.message.id, retry.from)).toBe(retry.complete.message.content);

    // A resend after the reply is only the original again; a new message works.
    const again = client.mark();
    const duplicate = await client.request(frame, "message_accepted", (event) => event.clientMessageId === "c-fail-1");
    expect(duplicate.message).toEqual(accepted.message);
    const next = await sendAndAwaitReply(client, session.id, "c-fail-2", "By simplifying checkout");
    expect(next.complete.message.seq).toBe(4);
    expect(client.eventsOf("message_complete", again).map((event) => event.message.seq)).toEqual([4]);
    const stored = await storedMessages(realtime.api, user, session.id);
    expect(stored.map((message) => `${message.seq}:${message.role}`)).toEqual(["1:user", "2:assistant", "3:user", "4:assistant"]);
  });

  it("a new message after a failed turn is accepted at once (the lock was released)", async () => {
    process.env.OFFLINE_COACH_FAIL_AFTER = "3";
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const client = await connect(user);
    const from = client.mark();
    client.send({ action: "send_message", sessionId: session.id, clientMessageId: "c-fail-a", content: "Grow the partner channel" });
    await client.waitFor("session_error", (event) => event.code === "provider_error", { from });
    delete process.env.OFFLINE_COACH_FAIL_AFTER;
    const next = await sendAndAwaitReply(client, session.id, "c-fail-b", "Grow the partner channel, take two");
    expect(next.accepted.message.seq).toBe(2);
    expect(next.complete.message.seq).toBe(3);
    const stored = await storedMessages(realtime.api, user, session.id);
    expect(stored.map((message) => `${message.seq}:${message.role}`)).toEqual(["1:user", "2:user", "3:assistant"]);
  });
});
