import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testStackConfig } from "../../../../test/env";
import { HANG_CEILING_MS, TEST_CEILING_MS } from "../../../../test/ceiling";
import { startLocalStack, type LocalStack } from "../../../local/src/stack";
import { apiClient, newUser, type Api } from "../support/api";
import {
  closeAllClients,
  ConversationView,
  essence,
  expectCleanTraffic,
  RealtimeClient,
  seededRandom,
  sleep,
  storedMessages,
  type Message,
} from "./support/ws-client";

/**
 * No loss, no duplicates, under load: 100 clients, each its own user and
 * session, send 10 messages one after another, with random resends of the
 * same clientMessageId (immediately, racing the original, and after the
 * reply) and random abrupt disconnects mid-reply followed by a rejoin with
 * `afterSeq`. Afterwards every session holds each user message once and one
 * reply to each, and every client's view (events + rejoin history) equals
 * the stored history.
 */
const CLIENTS = 100;
const MESSAGES = 10;
const SEED = Number(process.env.REALTIME_LOAD_SEED ?? 20_240_601);
const P_RESEND_NOW = 0.2;
const P_DROP = 0.15;
const P_RESEND_AFTER = 0.1;
const WAIT_MS = HANG_CEILING_MS;

let stack: LocalStack;
let api: Api;

beforeAll(async () => {
  process.env.OFFLINE_COACH_DELAY_MS = "0";
  stack = await startLocalStack(testStackConfig());
  api = apiClient(stack);
  // Warm up, as Lambda would be: every handler on the path imported once before the clock starts.
  const user = newUser();
  const session = await api.createSession(user);
  const client = await RealtimeClient.connect(stack, user, "warm-up");
  await client.join(session.id, undefined, WAIT_MS);
  client.send({ action: "send_message", sessionId: session.id, clientMessageId: "warm-up", content: "warm up" });
  await client.waitFor("message_complete", () => true, { timeoutMs: WAIT_MS });
  await client.request({ action: "get_session_status", sessionId: session.id }, "session_status", undefined, WAIT_MS);
  await client.close();
});

afterAll(async () => {
  delete process.env.OFFLINE_COACH_DELAY_MS;
  await closeAllClients();
  await stack?.stop();
});

interface ClientRun {
  index: number;
  user: string;
  sessionId: string;
  connections: RealtimeClient[];
  resendsNow: number;
  resendsAfter: number;
  drops: number;
  refusals: string[];
}

class RunFailure extends Error {}

/** Fails at once on an error no resend explains (a reply that failed, an internal error). */
function assertNoFatalError(client: RealtimeClient, from: number, where: string): void {
  const fatal = client.eventsOf("session_error", from).find((event) => !(event.retryable && (event.code === "turn_in_progress" || event.code === "rate_limited")));
  if (fatal) throw new RunFailure(`${where}: session_error ${fatal.code} "${fatal.message}" (clientMessageId ${fatal.clientMessageId ?? "-"})`);
}

async function runClient(index: number): Promise<ClientRun> {
  const random = seededRandom(SEED + index);
  const user = newUser();
  const session = await api.createSession(user);
  const run: ClientRun = { index, user, sessionId: session.id, connections: [], resendsNow: 0, resendsAfter: 0, drops: 0, refusals: [] };
  const open = async () => {
    const client = await RealtimeClient.connect(stack, user, `load${index}`);
    run.connections.push(client);
    return client;
  };
  const view = new ConversationView();
  let conn = await open();
  view.addEvent(await conn.join(session.id, undefined, WAIT_MS), conn.label);

  for (let k = 0; k < MESSAGES; k++) {
    const clientMessageId = `m${k}-${index}`;
    const frame = { action: "send_message", sessionId: session.id, clientMessageId, content: `client ${index} says message ${k}` } as const;
    const where = `client ${index} message ${k}`;
    let from = conn.mark();
    conn.send(frame);
    let framesSent = 1;
    const resendNow = random() < P_RESEND_NOW;
    if (resendNow) {
      conn.send(frame);
      framesSent++;
      run.resendsNow++;
    }

    // The acceptance; a retryable refusal of every frame sent (rate limit, busy) is retried after a pause.
    let accepted: Awaited<ReturnType<RealtimeClient["waitFor"]>> & { type: "message_accepted" };
    for (;;) {
      const answer = await conn.waitForAny(
        (event) =>
          (event.type === "message_accepted" && event.clientMessageId === clientMessageId) ||
          (event.type === "session_error" && (event.clientMessageId === clientMessageId || !event.retryable)),
        `${where}: message_accepted`,
        { from, timeoutMs: WAIT_MS },
      );
      assertNoFatalError(conn, from, where);
      if (answer.type === "message_accepted") {
        accepted = answer as typeof accepted;
        break;
      }
      const refusals = conn.eventsOf("session_error", from).filter((event) => event.clientMessageId === clientMessageId).length;
      if (refusals < framesSent) {
        // Another frame of this message is still unanswered: wait for it.
        const more = await conn.waitForAny(
          (event) => event.type === "message_accepted" && event.clientMessageId === clientMessageId,
          `${where}: message_accepted after a refusal`,
          { from, timeoutMs: WAIT_MS },
        ).catch(() => undefined);
        if (more) {
          accepted = more as typeof accepted;
          break;
        }
      }
      run.refusals.push(`${where}: ${(answer as { code?: string }).code}`);
      await sleep(100 + Math.floor(random() * 100));
      from = conn.mark();
      conn.send(frame);
      framesSent = 1;
    }
    expect(accepted.message, where).toMatchObject({ role: "user", clientMessageId, content: frame.content, seq: 2 * k + 1 });
    view.add(accepted.message, conn.label);
    const replySeq = accepted.message.seq + 1;
    const replyId = `${session.id}.m${replySeq}`;

    if (random() < P_DROP) {
      // Drop mid-reply: right away, or once the stream has started.
      run.drops++;
      if (random() < 0.5) {
        await conn.waitForAny((event) => (event.type === "message_delta" && event.messageId === replyId) || event.type === "message_complete", `${where}: first delta`, {
          from,
          timeoutMs: WAIT_MS,
        });
      }
      view.addAll(conn, from);
      assertNoFatalError(conn, from, where);
      conn.terminate();
      await conn.closed;
      conn = await open();
      from = conn.mark();
      const afterSeq = view.lastSeq;
      const joined = await conn.join(session.id, afterSeq, WAIT_MS);
      // Exactly what follows afterSeq, in order: at most the reply.
      expect(
        joined.history.map((message) => message.seq),
        `${where}: rejoin after ${afterSeq}`,
      ).toEqual(joined.history.map((_, i) => afterSeq + 1 + i));
      view.addEvent(joined, conn.label);
      if (!view.bySeq.has(replySeq)) {
        view.add((await conn.waitFor("message_complete", (event) => event.message.seq === replySeq, { from, timeoutMs: WAIT_MS })).message, conn.label);
      }
    } else {
      await conn.waitFor("message_complete", (event) => event.message.seq === replySeq, { from, timeoutMs: WAIT_MS });
      if (resendNow) {
        // The racing resend has its answer too: the original message_accepted, or turn_in_progress.
        await conn.waitForAny(
          () =>
            conn.events.slice(from).filter((event) => (event.type === "message_accepted" || event.type === "session_error") && event.clientMessageId === clientMessageId)
              .length >= framesSent,
          `${where}: an answer to the immediate resend`,
          { from, timeoutMs: WAIT_MS },
        );
        for (const event of conn.events.slice(from)) {
          if (event.type === "message_accepted" && event.clientMessageId === clientMessageId) expect(event.message, `${where}: resend`).toEqual(accepted.message);
          if (event.type === "session_error" && event.clientMessageId === clientMessageId) expect(event.code, `${where}: resend`).toBe("turn_in_progress");
        }
      }
      if (random() < P_RESEND_AFTER) {
        run.resendsAfter++;
        const again = await conn.request(frame, "message_accepted", (event) => event.clientMessageId === clientMessageId, WAIT_MS);
        expect(again.message, `${where}: resend after the reply`).toEqual(accepted.message);
      }
      view.addAll(conn, from);
    }
    assertNoFatalError(conn, from, where);
  }
  await conn.ping(WAIT_MS);
  return run;
}

describe("100 concurrent clients × 10 messages", () => {
  it("lose nothing and duplicate nothing, through resends and dropped connections", { timeout: 2 * TEST_CEILING_MS }, async () => {
    const postsBefore = stack.postCount();
    const started = performance.now();
    const settled = await Promise.allSettled(Array.from({ length: CLIENTS }, (_, index) => runClient(index)));
    const seconds = (performance.now() - started) / 1000;
    const failures = settled.flatMap((result) => (result.status === "rejected" ? [String((result.reason as Error).message ?? result.reason)] : []));
    expect(failures.slice(0, 8), `${failures.length} of ${CLIENTS} clients failed (seed ${SEED})`).toEqual([]);
    const runs = settled.map((result) => (result as PromiseFulfilledResult<ClientRun>).value);

    // Let stray late frames (answers to resends) land, then close everything.
    await Promise.all(runs.map((run) => run.connections.at(-1)!.ping(WAIT_MS)));
    const posts = stack.postCount() - postsBefore;

    for (const run of runs) {
      const stored = await storedMessages(api, run.user, run.sessionId);
      const label = `client ${run.index} (seed ${SEED})`;
      // Each user message exactly once, in order, each followed by exactly one reply.
      expect(stored.map((message) => message.seq), label).toEqual(Array.from({ length: 2 * MESSAGES }, (_, i) => i + 1));
      expect(stored.map((message) => message.role), label).toEqual(Array.from({ length: 2 * MESSAGES }, (_, i) => (i % 2 === 0 ? "user" : "assistant")));
      expect(
        stored.filter((message) => message.role === "user").map((message) => message.clientMessageId),
        label,
      ).toEqual(Array.from({ length: MESSAGES }, (_, k) => `m${k}-${run.index}`));
      expect(stored.every((message) => message.status === "complete" && message.content.length > 0), label).toBe(true);

      // The client's final view, from everything every one of its connections received, is the stored history.
      const view = new ConversationView();
      for (const connection of run.connections) view.addAll(connection);
      expect(view.messages().map(essence), label).toEqual(stored.map(essence));

      // Streams: on every connection, each reply's frames are numbered 0..n-1 and spell a prefix of the reply
      // (all of it where the connection saw the completion); no frame ever streamed a message that is not a stored reply.
      const replies = new Map<string, Message>(stored.filter((message) => message.role === "assistant").map((message) => [message.id, message]));
      for (const connection of run.connections) {
        const byMessage = new Map<string, { seq: number; delta: string }[]>();
        for (const delta of connection.eventsOf("message_delta")) byMessage.set(delta.messageId, [...(byMessage.get(delta.messageId) ?? []), delta]);
        for (const [messageId, deltas] of byMessage) {
          const reply = replies.get(messageId);
          expect(reply, `${label}: deltas for ${messageId}`).toBeDefined();
          expect(deltas.map((delta) => delta.seq), `${label}: ${connection.label} delta order of ${messageId}`).toEqual(deltas.map((_, i) => i));
          const text = deltas.map((delta) => delta.delta).join("");
          const completed = connection.eventsOf("message_complete").some((event) => event.message.id === messageId);
          if (completed) expect(text, `${label}: ${messageId}`).toBe(reply!.content);
          else expect(reply!.content.startsWith(text), `${label}: ${messageId} prefix`).toBe(true);
        }
        // At most one completion per reply per connection.
        const completes = connection.eventsOf("message_complete").map((event) => event.message.id);
        expect(new Set(completes).size, `${label}: ${connection.label} duplicate message_complete`).toBe(completes.length);
        expect(connection.eventsOf("session_error").filter((event) => event.code === "provider_error"), label).toEqual([]);
      }
      expectCleanTraffic(...run.connections);
    }

    const total = (key: "resendsNow" | "resendsAfter" | "drops") => runs.reduce((sum, run) => sum + run[key], 0);
    const refusals = runs.flatMap((run) => run.refusals);
    console.info(
      `[load] ${CLIENTS} clients × ${MESSAGES} messages in ${seconds.toFixed(1)} s (seed ${SEED}): ${total("resendsNow")} immediate resends, ` +
        `${total("resendsAfter")} resends after the reply, ${total("drops")} drops mid-reply, ${refusals.length} retryable refusals; ${posts} posts (${(posts / (CLIENTS * MESSAGES)).toFixed(1)} per turn)`,
    );
    expect(total("drops")).toBeGreaterThan(50);
    expect(total("resendsNow")).toBeGreaterThan(100);
  });
});
