import { afterEach, describe, expect, it, vi } from "vitest";
import type { ServerEventOf } from "@coach/core/realtime";
import * as Turn from "@coach/core/turn";
import { newUser } from "../support/api";
import { ConversationView, seededRandom, sendAndAwaitReply, storedMessages, type RealtimeClient } from "./support/ws-client";
import { useRealtimeStack } from "./support/realtime-stack";
import { replyGate, streams } from "../../../../test/offline-coach-per-turn";

// Replies are held mid-stream by the test (replyGate), or paced (OFFLINE_COACH_DELAY_MS) where the point of the
// stop or the join is left to chance: the verdicts hold wherever it falls.
vi.mock("@coach/functions/shared/ai-provider", () => import("../../../../test/offline-coach-per-turn"));

const realtime = useRealtimeStack();
const connect = (user: string) => realtime.connect(user);

afterEach(() => replyGate.open());

/**
 * The reply as one connection saw it: the reply_in_progress it was greeted
 * with, if any, then its deltas, each starting exactly where the text so
 * far ends (no gap, no character twice).
 */
function replySeenBy(client: RealtimeClient, messageId: string, from = 0): { text: string; greeted: boolean } {
  const events = client.events.slice(from).filter((event) => (event.type === "message_delta" || event.type === "reply_in_progress") && event.messageId === messageId);
  let text = "";
  let greeted = false;
  for (const [i, event] of events.entries()) {
    if (event.type === "reply_in_progress") {
      expect(i, `${client.label}: reply_in_progress comes before any delta, once`).toBe(0);
      expect(event.offset).toBe(0);
      text = event.text;
      greeted = true;
      continue;
    }
    const delta = event as ServerEventOf<"message_delta">;
    expect(delta.offset, `${client.label}: delta ${delta.seq} starts where the text so far ends`).toBe(text.length);
    text += delta.delta;
  }
  return { text, greeted };
}

const completesOf = (client: RealtimeClient, messageId: string, from = 0) => client.eventsOf("message_complete", from).filter((event) => event.message.id === messageId);

/** Sends a message and waits until its reply has started streaming to `client` (held there by the gate). */
async function sendHeld(client: RealtimeClient, sessionId: string, clientMessageId: string, content: string) {
  const from = client.mark();
  client.send({ action: "send_message", sessionId, clientMessageId, content });
  const accepted = await client.waitFor("message_accepted", (event) => event.clientMessageId === clientMessageId, { from });
  const first = await client.waitFor("message_delta", () => true, { from });
  return { from, accepted, messageId: first.messageId };
}

describe("stop_generation", () => {
  it("stops a reply mid-stream: it is stored as written with stopReason user, message_complete says stopped, the lock is free and the next message goes in", async () => {
    replyGate.holdAfter(3);
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const client = await connect(user);
    await client.join(session.id);
    const { from, accepted, messageId } = await sendHeld(client, session.id, "c-stop-1", "I want to grow weekly active users");
    const streamsBefore = streams.length;

    const ack = await client.request({ action: "stop_generation", sessionId: session.id }, "stop_acknowledged");
    expect(ack).toEqual({ type: "stop_acknowledged", sessionId: session.id, stopping: true });
    const complete = await client.waitFor("message_complete", (event) => event.message.id === messageId, { from });
    expect(complete.stopped).toBe(true);
    expect(complete.message).toMatchObject({ role: "assistant", seq: accepted.message.seq + 1, status: "incomplete", stopReason: "user" });
    expect(replySeenBy(client, messageId, from).text).toBe(complete.message.content);
    expect(complete.message.content.length).toBeGreaterThan(0);

    // The provider was stopped, not left writing: the stream ended, and nothing came after the abort.
    const record = streams[streamsBefore - 1]!;
    expect(record).toMatchObject({ aborted: true, ended: true, deltasAfterAbort: 0 });

    const stored = await storedMessages(realtime.api, user, session.id);
    expect(stored.map((m) => [m.seq, m.role, m.status, m.stopReason])).toEqual([
      [1, "user", "complete", undefined],
      [2, "assistant", "incomplete", "user"],
    ]);
    expect(stored[1]!.content).toBe(complete.message.content);
    expect(await Turn.readLock(session.id)).toBeUndefined();

    replyGate.open();
    const next = await sendAndAwaitReply(client, session.id, "c-stop-2", "Let me put it differently");
    expect(next.accepted.message.seq).toBe(3);
    expect(next.complete.message).toMatchObject({ seq: 4, status: "complete" });
    expect(next.complete.message.stopReason).toBeUndefined();
    expect(next.complete.stopped).toBeUndefined();
  });

  it("is idempotent: a second stop answers fine, a stop with nothing running answers stopping false and changes nothing", async () => {
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const client = await connect(user);
    await client.join(session.id);

    const idle = await client.request({ action: "stop_generation", sessionId: session.id }, "stop_acknowledged");
    expect(idle).toMatchObject({ stopping: false });
    expect(await Turn.readLock(session.id)).toBeUndefined();

    replyGate.holdAfter(2);
    const { from, messageId } = await sendHeld(client, session.id, "c-twice", "Grow revenue");
    const [first, second] = await Promise.all([
      client.request({ action: "stop_generation", sessionId: session.id }, "stop_acknowledged"),
      client.request({ action: "stop_generation", sessionId: session.id }, "stop_acknowledged"),
    ]);
    expect(first.stopping || second.stopping).toBe(true);
    const complete = await client.waitFor("message_complete", (event) => event.message.id === messageId, { from });
    expect(complete.stopped).toBe(true);
    expect(completesOf(client, messageId, from)).toHaveLength(1);

    const after = await client.request({ action: "stop_generation", sessionId: session.id }, "stop_acknowledged");
    expect(after).toMatchObject({ stopping: false });
    const stored = await storedMessages(realtime.api, user, session.id);
    expect(stored.map((m) => `${m.seq}:${m.role}:${m.status}`)).toEqual(["1:user:complete", "2:assistant:incomplete"]);
  });

  it("refuses to stop another user's session as if it did not exist, and that reply runs on", async () => {
    replyGate.holdAfter(2);
    const owner = newUser();
    const session = await realtime.api.createSession(owner);
    const ownerClient = await connect(owner);
    await ownerClient.join(session.id);
    const { from, messageId } = await sendHeld(ownerClient, session.id, "c-mine", "Grow revenue");

    const intruder = await connect(newUser());
    const refused = await intruder.expectError({ action: "stop_generation", sessionId: session.id }, "not_found");
    expect(refused).toMatchObject({ retryable: false, sessionId: session.id });
    const rest = await realtime.api.post(`/api/sessions/${session.id}/stop`, { as: newUser() });
    expect(rest.status).toBe(404);

    replyGate.open();
    const complete = await ownerClient.waitFor("message_complete", (event) => event.message.id === messageId, { from });
    expect(complete.stopped).toBeUndefined();
    expect(complete.message.status).toBe("complete");
  });

  it("POST /api/sessions/{id}/stop stops it too, and answers stopping false when nothing runs", async () => {
    replyGate.holdAfter(2);
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const client = await connect(user);
    await client.join(session.id);
    const { from, messageId } = await sendHeld(client, session.id, "c-rest-stop", "Grow revenue");

    const stopped = await realtime.api.post(`/api/sessions/${session.id}/stop`, { as: user });
    expect(stopped.status, stopped.text).toBe(200);
    expect(stopped.body).toEqual({ sessionId: session.id, stopping: true });
    const complete = await client.waitFor("message_complete", (event) => event.message.id === messageId, { from });
    expect(complete).toMatchObject({ stopped: true, message: { stopReason: "user", status: "incomplete" } });

    const idle = await realtime.api.post(`/api/sessions/${session.id}/stop`, { as: user });
    expect(idle.body).toEqual({ sessionId: session.id, stopping: false });
  });
});

describe("rejoining a reply in flight", () => {
  it("a second connection that joins mid-reply gets reply_in_progress, then every later delta once, and ends with exactly the stored text", async () => {
    replyGate.holdAfter(4);
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const first = await connect(user);
    await first.join(session.id);
    const { from, messageId } = await sendHeld(first, session.id, "c-second-tab", "I want to grow weekly active users");

    const second = await connect(user);
    const joined = await second.join(session.id);
    expect(joined.history.map((m) => m.role)).toEqual(["user"]);
    const greeting = await second.waitFor("reply_in_progress", (event) => event.messageId === messageId);
    expect(greeting.text).toBe(replySeenBy(first, messageId, from).text);

    replyGate.open();
    const complete = await second.waitFor("message_complete", (event) => event.message.id === messageId);
    await first.waitFor("message_complete", (event) => event.message.id === messageId, { from });
    const stored = (await storedMessages(realtime.api, user, session.id)).at(-1)!;
    expect(stored.content).toBe(complete.message.content);
    expect(replySeenBy(second, messageId)).toEqual({ text: stored.content, greeted: true });
    expect(replySeenBy(first, messageId, from)).toEqual({ text: stored.content, greeted: false });
    expect(completesOf(second, messageId)).toHaveLength(1);
    expect(completesOf(first, messageId, from)).toHaveLength(1);
  });

  it("a connection terminated mid-reply and rejoined with afterSeq gets the reply so far and the rest, never a character twice", async () => {
    replyGate.holdAfter(3);
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const dropped = await connect(user);
    await dropped.join(session.id);
    const { accepted, messageId } = await sendHeld(dropped, session.id, "c-drop", "Weekly active users from 12000 to 18000 by June 30");
    dropped.terminate();

    const back = await connect(user);
    const joined = await back.join(session.id, accepted.message.seq);
    expect(joined.history).toEqual([]);
    await back.waitFor("reply_in_progress", (event) => event.messageId === messageId);
    replyGate.open();
    const complete = await back.waitFor("message_complete", (event) => event.message.id === messageId);
    const stored = await storedMessages(realtime.api, user, session.id);
    expect(stored.map((m) => m.seq)).toEqual([1, 2]);
    expect(stored[1]!.content).toBe(complete.message.content);
    expect(replySeenBy(back, messageId)).toEqual({ text: stored[1]!.content, greeted: true });
    expect(completesOf(back, messageId)).toHaveLength(1);
  });

  it("a join after the reply was stored has it in history and is sent nothing more of it", async () => {
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const client = await connect(user);
    const { complete } = await sendAndAwaitReply(client, session.id, "c-done", "Grow revenue");
    const late = await connect(user);
    const joined = await late.join(session.id);
    expect(joined.history.map((m) => m.id)).toEqual([`${session.id}.m1`, complete.message.id]);
    await late.ping();
    expect(late.events.filter((event) => event.type === "message_delta" || event.type === "reply_in_progress" || event.type === "message_complete")).toEqual([]);
  });

  it("20 sessions at once, stopped, joined and dropped at random points: each connection sees each reply exactly once, as stored", async () => {
    process.env.OFFLINE_COACH_DELAY_MS = "8";
    const random = seededRandom(20261202);
    const SESSIONS = 20;
    const TURNS = 3;
    const results = await Promise.all(
      Array.from({ length: SESSIONS }, async (_, index) => {
        const user = newUser();
        const session = await realtime.api.createSession(user);
        const clients: RealtimeClient[] = [await connect(user)];
        await clients[0]!.join(session.id);
        const stopped: string[] = [];
        for (let turn = 1; turn <= TURNS; turn++) {
          const sender = clients.at(-1)!;
          const from = sender.mark();
          sender.send({ action: "send_message", sessionId: session.id, clientMessageId: `s${index}-t${turn}`, content: `Grow revenue, take ${turn}` });
          const accepted = await sender.waitFor("message_accepted", (event) => event.clientMessageId === `s${index}-t${turn}`, { from });
          const messageId = `${session.id}.m${accepted.message.seq + 1}`;
          // Somewhere in the reply (or before it, or after it): one of the things users do.
          await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 120)));
          const action = Math.floor(random() * 3);
          if (action === 0) {
            sender.send({ action: "stop_generation", sessionId: session.id });
            stopped.push(messageId);
          } else if (action === 1) {
            const tab = await connect(user);
            clients.push(tab);
            await tab.join(session.id);
          } else {
            sender.terminate();
            const back = await connect(user);
            clients.push(back);
            await back.join(session.id, accepted.message.seq);
          }
          // The reply arrives whole, or was stored before the last connection joined and came in its history.
          await clients.at(-1)!.waitForAny(
            (event) =>
              (event.type === "message_complete" && event.message.id === messageId) ||
              (event.type === "session_joined" && event.history.some((m) => m.id === messageId)),
            `the reply ${messageId}`,
          );
        }
        return { user, session, clients, stopped };
      }),
    );

    const tally = { stoppedMidReply: 0, greeted: 0, fromHistory: 0, whole: 0 };
    for (const { user, session, clients, stopped } of results) {
      const stored = await storedMessages(realtime.api, user, session.id);
      expect(stored.map((m) => `${m.seq}:${m.role}`)).toEqual(["1:user", "2:assistant", "3:user", "4:assistant", "5:user", "6:assistant"]);
      for (const reply of stored.filter((m) => m.role === "assistant")) {
        if (reply.stopReason) expect(stopped).toContain(reply.id);
        if (reply.stopReason) tally.stoppedMidReply++;
        for (const client of clients) {
          const inHistory = client.eventsOf("session_joined").some((event) => event.history.some((m) => m.id === reply.id));
          const completes = completesOf(client, reply.id);
          const seen = replySeenBy(client, reply.id);
          expect(completes.length + (inHistory ? 1 : 0), `${client.label}: ${reply.id} arrives at most once`).toBeLessThanOrEqual(1);
          if (inHistory) expect(seen.text, `${client.label}: nothing streamed of a reply it had in history`).toBe("");
          tally.greeted += seen.greeted ? 1 : 0;
          tally.fromHistory += inHistory ? 1 : 0;
          tally.whole += completes.length;
          // A connection that got the reply whole saw all of it, as stored; one that went away saw a prefix.
          if (completes.length === 1) {
            expect(completes[0]!.message).toEqual(reply);
            expect(seen.text, `${client.label}: ${reply.id} as streamed`).toBe(reply.content);
          } else {
            expect(reply.content.startsWith(seen.text), `${client.label}: ${reply.id} streamed so far is a prefix`).toBe(true);
          }
        }
      }
      const view = new ConversationView();
      for (const client of clients) view.addAll(client);
      expect(await Turn.readLock(session.id)).toBeUndefined();
    }
    // What chance made of it (the verdicts above hold for any mix).
    console.info(`[stop-rejoin] ${SESSIONS} sessions × ${TURNS} turns: ${tally.stoppedMidReply} replies stopped, ${tally.greeted} greeted with reply_in_progress, ${tally.fromHistory} in a join's history, ${tally.whole} message_complete`);
  });
});
