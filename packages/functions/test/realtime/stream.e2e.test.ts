import { describe, expect, it, vi } from "vitest";
import { newUser } from "../support/api";
import {
  closeAllClients,
  ConversationView,
  deltasOf,
  essence,
  expectCleanTraffic,
  FRAME_LIMIT_BYTES,
  RealtimeClient,
  sendAndAwaitReply,
  sleep,
  storedMessages,
  streamedText,
} from "./support/ws-client";
import { useRealtimeStack } from "./support/realtime-stack";
import { HANG_CEILING_MS } from "../../../../test/ceiling";

// The offline coach's knobs change between turns here; the product reads them once per process.
vi.mock("@coach/functions/shared/ai-provider", () => import("../../../../test/offline-coach-per-turn"));

/**
 * The reply stream end to end: real `ws` clients against the local runtime
 * (API Gateway WebSocket emulation, the turn worker in-process, DynamoDB
 * Local underneath), the offline coach slowed per turn so a reply spans
 * several frames.
 */
const realtime = useRealtimeStack();
const connect = (user: string) => realtime.connect(user);

/** Words in a reply: the offline coach streams one provider delta per word. */
const providerDeltas = (text: string) => text.split(/(?<= )/).length;

describe("stream order", () => {
  it("delivers the reply to every connection of the session as message_delta seq 0..n-1, whose concatenation is the stored reply", async () => {
    process.env.OFFLINE_COACH_DELAY_MS = "15";
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const [a, b] = [await connect(user), await connect(user)];
    await a.join(session.id);
    await b.join(session.id);
    const fromB = b.mark();

    const { from, accepted, complete } = await sendAndAwaitReply(a, session.id, "c-order-1", "I want our team to ship faster without burning out");
    const reply = complete.message;
    expect(reply).toMatchObject({ seq: 2, role: "assistant", status: "complete", sessionId: session.id });
    expect(accepted.message).toMatchObject({ seq: 1, role: "user", content: "I want our team to ship faster without burning out", clientMessageId: "c-order-1" });

    // The other client of the same user sees the same acceptance, the same stream and the same completion.
    const bComplete = await b.waitFor("message_complete", (event) => event.message.id === reply.id, { from: fromB });
    expect(bComplete.message).toEqual(reply);
    expect((await b.waitFor("message_accepted", () => true, { from: fromB })).message).toEqual(accepted.message);

    for (const [client, start] of [
      [a, from],
      [b, fromB],
    ] as const) {
      await client.waitFor("typing_indicator", (event) => !event.on, { from: start });
      const deltas = deltasOf(client, reply.id, start);
      expect(deltas.length, `${client.label}: frames`).toBeGreaterThan(1);
      expect(streamedText(client, reply.id, start)).toBe(reply.content);
      // Every delta precedes the completion; typing goes on before the first and off at the end.
      const events = client.events.slice(start);
      const completeAt = events.findIndex((event) => event.type === "message_complete");
      const lastDeltaAt = events.findLastIndex((event) => event.type === "message_delta");
      expect(lastDeltaAt).toBeLessThan(completeAt);
      const typing = events.filter((event) => event.type === "typing_indicator").map((event) => (event as { on: boolean }).on);
      expect(typing).toEqual([true, false]);
      expect(events.findIndex((event) => event.type === "typing_indicator")).toBeLessThan(events.findIndex((event) => event.type === "message_delta"));
      expect(deltas.every((delta) => delta.sessionId === session.id)).toBe(true);
    }

    const stored = await storedMessages(realtime.api, user, session.id);
    expect(stored.map(essence)).toEqual([essence(accepted.message), essence(reply)]);
  });
});

describe("coalescing", () => {
  // How many frames a slow stream makes depends on its pace against the window, so that ratio is specified on a
  // fake clock in core's coalesce.test.ts; here the rest of the contract holds at any pace.
  it("streams a slow reply in frames far below 32 KB, with nothing posted per token beyond them", async () => {
    process.env.OFFLINE_COACH_DELAY_MS = "5";
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const client = await connect(user);
    await client.join(session.id);

    const postsBefore = realtime.stack.postCount();
    const long = "I want to grow weekly active users of the mobile app by making onboarding shorter, clearer and friendlier for new teams";
    const { from, complete } = await sendAndAwaitReply(client, session.id, "c-coalesce-1", long);
    await client.waitFor("typing_indicator", (event) => !event.on, { from });
    const posts = realtime.stack.postCount() - postsBefore;
    const reply = complete.message;
    const frames = deltasOf(client, reply.id, from).length;
    const deltas = providerDeltas(reply.content);
    expect(streamedText(client, reply.id, from)).toBe(reply.content);

    console.info(`[coalescing] reply of ${reply.content.length} chars: ${deltas} provider deltas → ${frames} message_delta frames; ${posts} posts in all for the turn`);
    expect(deltas).toBeGreaterThan(20);
    expect(frames).toBeGreaterThanOrEqual(1);
    expect(frames).toBeLessThanOrEqual(deltas);
    // The session has one connection, so every post is one event it received: message_accepted, typing on and
    // off, the frames, message_complete (and a phase_transition if the phase moved) — nothing per token.
    const received = client.events.slice(from);
    expect(posts).toBe(received.length);
    expect(received.filter((event) => event.type !== "message_delta").length).toBeLessThanOrEqual(5);
    for (const frame of client.frames.slice(from)) expect(frame.bytes).toBeLessThan(FRAME_LIMIT_BYTES);
  });

  it("keeps posts per reply independent of how fast the provider streams (no delay: a single frame)", async () => {
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const client = await connect(user);
    await client.join(session.id);
    const { from, complete } = await sendAndAwaitReply(client, session.id, "c-coalesce-2", "Grow revenue in the enterprise segment");
    const frames = deltasOf(client, complete.message.id, from).length;
    expect(providerDeltas(complete.message.content)).toBeGreaterThan(20);
    expect(frames).toBeLessThanOrEqual(2);
    expect(streamedText(client, complete.message.id, from)).toBe(complete.message.content);
  });
});

describe("resume without loss", () => {
  it("a client that drops mid-reply and rejoins with afterSeq gets exactly the messages after it, the completed reply included", async () => {
    process.env.OFFLINE_COACH_DELAY_MS = "15";
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const client = await connect(user);
    const observer = await connect(user);
    await client.join(session.id);
    await observer.join(session.id);

    // Two complete exchanges first, so afterSeq is in the middle of the history.
    await sendAndAwaitReply(client, session.id, "c-resume-1", "First: reduce churn");
    await sendAndAwaitReply(client, session.id, "c-resume-2", "Second: for small business customers");

    const view = new ConversationView();
    view.addAll(client);
    const fromObserver = observer.mark();
    const from = client.mark();
    client.send({ action: "send_message", sessionId: session.id, clientMessageId: "c-resume-3", content: "Third: by fixing onboarding" });
    const accepted = await client.waitFor("message_accepted", (event) => event.clientMessageId === "c-resume-3", { from });
    const firstDelta = await client.waitFor("message_delta", () => true, { from });
    expect(firstDelta.messageId).toBe(`${session.id}.m${accepted.message.seq + 1}`);
    view.addAll(client, from);
    client.terminate();
    await client.closed;
    const afterSeq = view.lastSeq;
    expect(afterSeq).toBe(5);

    // The reply finishes while the client is away.
    const complete = await observer.waitFor("message_complete", (event) => event.message.seq === 6, { from: fromObserver });

    const again = await connect(user);
    const joined = await again.join(session.id, afterSeq);
    expect(joined.hasMore).toBe(false);
    expect(joined.session).toMatchObject({ id: session.id, messageCount: 6 });
    const stored = await storedMessages(realtime.api, user, session.id);
    expect(joined.history.map(essence)).toEqual(stored.filter((message) => message.seq > afterSeq).map(essence));
    expect(joined.history.map(essence)).toEqual([essence(complete.message)]);

    for (const message of joined.history) view.add(message, again.label);
    expect(view.messages().map(essence)).toEqual(stored.map(essence));
  });

  it("rejoining while the reply still streams gets message_complete on the new connection (or the reply in history), never a gap", async () => {
    process.env.OFFLINE_COACH_DELAY_MS = "20";
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const client = await connect(user);
    const from = client.mark();
    client.send({ action: "send_message", sessionId: session.id, clientMessageId: "c-resume-live", content: "Improve NPS" });
    const accepted = await client.waitFor("message_accepted", (event) => event.clientMessageId === "c-resume-live", { from });
    await client.waitFor("message_delta", () => true, { from });
    client.terminate();

    const again = await connect(user);
    const start = again.mark();
    const joined = await again.join(session.id, accepted.message.seq);
    expect(joined.history.every((message) => message.seq > accepted.message.seq)).toBe(true);
    const reply =
      joined.history.find((message) => message.seq === accepted.message.seq + 1) ??
      (await again.waitFor("message_complete", (event) => event.message.seq === accepted.message.seq + 1, { from: start })).message;
    const stored = await storedMessages(realtime.api, user, session.id);
    expect(stored.map(essence)).toEqual([essence(accepted.message), essence(reply)]);
  });
});

describe("REST fallback", () => {
  it("POST /api/sessions/{id}/messages answers 201 {userMessage, assistantMessage} while a joined ws client sees the stream; a resend answers 200 with the same pair", async () => {
    process.env.OFFLINE_COACH_DELAY_MS = "10";
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const client = await connect(user);
    await client.join(session.id);
    const from = client.mark();

    const first = await realtime.api.post(`/api/sessions/${session.id}/messages`, { as: user, json: { clientMessageId: "c-rest-1", content: "Launch in two new markets" } });
    expect(first.status, first.text).toBe(201);
    expect(first.body).toEqual({
      userMessage: expect.objectContaining({ seq: 1, role: "user", content: "Launch in two new markets", clientMessageId: "c-rest-1", status: "complete" }),
      assistantMessage: expect.objectContaining({ seq: 2, role: "assistant", status: "complete" }),
    });
    const { userMessage, assistantMessage } = first.body as { userMessage: { id: string }; assistantMessage: { id: string; content: string } };

    const accepted = await client.waitFor("message_accepted", (event) => event.clientMessageId === "c-rest-1", { from });
    expect(accepted.message).toEqual(userMessage);
    const complete = await client.waitFor("message_complete", (event) => event.message.id === assistantMessage.id, { from });
    expect(complete.message).toEqual(assistantMessage);
    expect(deltasOf(client, assistantMessage.id, from).length).toBeGreaterThan(1);
    expect(streamedText(client, assistantMessage.id, from)).toBe(assistantMessage.content);

    const afterFirst = client.mark();
    const resend = await realtime.api.post(`/api/sessions/${session.id}/messages`, { as: user, json: { clientMessageId: "c-rest-1", content: "Launch in two new markets" } });
    expect(resend.status, resend.text).toBe(200);
    expect(resend.body).toEqual(first.body);
    // A ping round trip orders after any frame the resend could have caused.
    await client.ping();
    expect(client.events.slice(afterFirst).map((event) => event.type)).toEqual(["pong"]);
    const stored = await storedMessages(realtime.api, user, session.id);
    expect(stored.map((message) => message.id)).toEqual([userMessage.id, assistantMessage.id]);
  });
});

describe("resends while the reply streams", () => {
  it("resending the same clientMessageId right after acceptance gets the original message_accepted (or turn_in_progress), never a second reply", async () => {
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const client = await connect(user);
    await client.join(session.id);
    const frame = { action: "send_message", sessionId: session.id, clientMessageId: "c-resend", content: "Cut cloud costs by a third" } as const;
    const from = client.mark();
    client.send(frame);
    client.send(frame);
    const accepted = await client.waitFor("message_accepted", () => true, { from });
    const complete = await client.waitFor("message_complete", () => true, { from });
    expect(complete.message.seq).toBe(accepted.message.seq + 1);
    await expectEveryFrameAnswered(client, from, 2, "c-resend");
    const events = client.events.slice(from);
    for (const event of events) {
      if (event.type === "message_accepted") expect(event.message).toEqual(accepted.message);
      if (event.type === "session_error") expect(event).toMatchObject({ code: "turn_in_progress", retryable: true, clientMessageId: "c-resend" });
    }
    expect(events.filter((event) => event.type === "message_complete")).toHaveLength(1);
    const stored = await storedMessages(realtime.api, user, session.id);
    expect(stored.map(essence)).toEqual([essence(accepted.message), essence(complete.message)]);
  });

  // Resends that arrive while the reply is being stored: the resend's handler reads the session (reply not
  // stored yet), then finds the lock already released, and takes that as "the reply failed, retry it".
  it("resends arriving as the reply is stored never start a second turn for an answered message, and the session stays free", async () => {
    const user = newUser();
    for (let round = 1; round <= 3; round++) {
      const session = await realtime.api.createSession(user);
      const client = await connect(user);
      await client.join(session.id);
      const frame = { action: "send_message", sessionId: session.id, clientMessageId: `c-hammer-${round}`, content: "Cut cloud costs by a third" } as const;
      const from = client.mark();
      client.send(frame);
      const accepted = await client.waitFor("message_accepted", () => true, { from });
      // After acceptance a resend is a duplicate (found before the rate limiter), so resend every 2 ms until the
      // reply is complete and a little after.
      let resends = 0;
      let stopAt = Number.POSITIVE_INFINITY;
      while (Date.now() < stopAt) {
        client.send(frame);
        resends++;
        await sleep(2);
        if (stopAt === Number.POSITIVE_INFINITY && client.eventsOf("message_complete", from).length > 0) stopAt = Date.now() + 30;
        if (resends > 500) throw new Error("the reply never completed");
      }
      await expectEveryFrameAnswered(client, from, resends + 1, frame.clientMessageId);
      // Every resend is answered, so any second turn one of them started holds the lock by now.
      const status = await client.request({ action: "get_session_status", sessionId: session.id }, "session_status");
      expect(status.turnInProgress, `round ${round}: a second turn is running`).toBe(false);

      const events = client.events.slice(from);
      const label = `round ${round} (${resends} resends)`;
      expect(
        events.filter((event) => event.type === "session_error" && event.code !== "turn_in_progress").map((event) => (event.type === "session_error" ? `${event.code}: ${event.message}` : "")),
        `${label}: errors other than turn_in_progress`,
      ).toEqual([]);
      expect(new Set(events.filter((event) => event.type === "message_accepted").map((event) => event.message.id))).toEqual(new Set([accepted.message.id]));
      const completes = events.filter((event) => event.type === "message_complete");
      expect(completes.map((event) => event.message.id), `${label}: replies`).toEqual([`${session.id}.m2`]);
      expect(
        events.filter((event) => event.type === "typing_indicator" && event.on).length,
        `${label}: turns started (typing_indicator on)`,
      ).toBe(1);
      expect(streamedText(client, `${session.id}.m2`, from), `${label}: one stream`).toBe(completes[0]!.message.content);
      const stored = await storedMessages(realtime.api, user, session.id);
      expect(stored.map((message) => `${message.seq}:${message.role}`)).toEqual(["1:user", "2:assistant"]);
      // The session is free at once: the next message is accepted and answered.
      await sendAndAwaitReply(client, session.id, `c-hammer-next-${round}`, "And reduce on-call load");
    }
  });
});

/** Waits until every send_message frame since `from` has its answer (message_accepted or session_error). */
async function expectEveryFrameAnswered(client: RealtimeClient, from: number, frames: number, clientMessageId: string): Promise<void> {
  const answers = () =>
    client.events
      .slice(from)
      .filter((event) => (event.type === "message_accepted" || event.type === "session_error") && event.clientMessageId === clientMessageId).length;
  const deadline = Date.now() + HANG_CEILING_MS;
  while (answers() < frames && Date.now() < deadline) await sleep(20);
  expect(answers(), `${client.label}: answers to ${frames} send_message frames`).toBe(frames);
}
