import { describe, expect, it, vi } from "vitest";
import type { ServerEvent } from "@coach/core/realtime";
import { HANG_CEILING_MS } from "../../../../test/ceiling";
import { newUser } from "../support/api";
import { RealtimeClient, sendAndAwaitReply, sleep, storedMessages } from "./support/ws-client";
import { useRealtimeStack } from "./support/realtime-stack";

/**
 * One client flooding its connection must not hurt anyone: every frame it
 * sends is answered (accepted, or refused as rate_limited and retryable; never
 * an internal error, never silence), and another user on another connection
 * keeps getting pongs and replies meanwhile.
 */

// One accepted message per session and a few per user, so A's accepted messages land in different sessions and
// never meet a running turn: every frame's answer is then either message_accepted or rate_limited, nothing else.
vi.hoisted(() => {
  process.env.RATE_LIMIT_SESSION_PER_MINUTE = "1";
  process.env.RATE_LIMIT_USER_PER_MINUTE = "4";
  process.env.OFFLINE_COACH_DELAY_MS = "0";
});

const realtime = useRealtimeStack();

const FLOOD_FRAMES = 2_700;
const FRAMES_PER_TICK = 45;
const TICK_MS = 50;
const FLOOD_SESSIONS = 6;

/** The limits count per fixed minute; a flood that straddles minutes may pass each limit once per minute it touches. */
const minutesTouched = (from: number, to: number) => Math.floor(to / 60_000) - Math.floor(from / 60_000) + 1;

/** Sends `FLOOD_FRAMES` new messages round-robin over the sessions, a batch per tick, without waiting for answers. */
async function flood(client: RealtimeClient, sessionIds: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  while (ids.length < FLOOD_FRAMES) {
    for (let i = 0; i < FRAMES_PER_TICK && ids.length < FLOOD_FRAMES; i++) {
      const clientMessageId = `flood-${ids.length}`;
      client.send({ action: "send_message", sessionId: sessionIds[ids.length % sessionIds.length]!, clientMessageId, content: `flood ${ids.length}` });
      ids.push(clientMessageId);
    }
    await sleep(TICK_MS);
  }
  return ids;
}

/** The answers to each of `ids`, once every frame has one (a stray frame counts as an answer), or at the hang ceiling. */
async function answersTo(client: RealtimeClient, ids: readonly string[]): Promise<Map<string, ServerEvent[]>> {
  const wanted = new Set(ids);
  const collect = () => {
    const answers = new Map<string, ServerEvent[]>();
    for (const event of client.events) {
      const id = event.type === "message_accepted" || event.type === "session_error" ? event.clientMessageId : undefined;
      if (id !== undefined && wanted.has(id)) answers.set(id, [...(answers.get(id) ?? []), event]);
    }
    return answers;
  };
  const deadline = Date.now() + HANG_CEILING_MS;
  while (collect().size + client.stray.length < ids.length && Date.now() < deadline) await sleep(100);
  return collect();
}

describe("a flood on one connection", () => {
  it("answers every flooded frame with message_accepted or rate_limited, while another user is served", async () => {
    const flooder = newUser();
    const floodSessions = await Promise.all(Array.from({ length: FLOOD_SESSIONS }, () => realtime.api.createSession(flooder)));
    const a = await realtime.connect(flooder);
    const bystander = newUser();
    const [first, second] = [await realtime.api.createSession(bystander), await realtime.api.createSession(bystander)];
    const b = await realtime.connect(bystander);
    await b.ping(HANG_CEILING_MS);

    let flooding = true;
    const floodStarted = Date.now();
    const sent = flood(a, floodSessions.map((session) => session.id)).finally(() => (flooding = false));
    let pongs = 0;
    const pinging = (async () => {
      do {
        await b.ping(HANG_CEILING_MS);
        pongs++;
      } while (flooding);
    })();
    const firstReply = sendAndAwaitReply(b, first.id, "b-during-flood", "hello during the flood", HANG_CEILING_MS);

    const ids = await sent;
    await pinging;
    const during = await firstReply;
    const after = await sendAndAwaitReply(b, second.id, "b-after-flood", "hello after the flood", HANG_CEILING_MS);

    const answers = await answersTo(a, ids);
    const minutes = minutesTouched(floodStarted, Date.now());
    const expectedRefusals: string[] = minutes === 1 ? ["rate_limited"] : ["rate_limited", "turn_in_progress"];
    const accepted = ids.filter((id) => answers.get(id)?.[0]?.type === "message_accepted");
    const refusals = [...answers.values()].flat().filter((event) => event.type === "session_error");
    const tally = {
      strayFrames: a.stray.slice(0, 3),
      unanswered: ids.filter((id) => !answers.has(id)).length,
      answeredTwice: ids.filter((id) => (answers.get(id)?.length ?? 0) > 1).length,
      // Only across a minute boundary may a session take a second message, possibly while its first is answered.
      otherErrors: [...new Set(refusals.filter((event) => !expectedRefusals.includes(event.code)).map((event) => `${event.code}: ${event.message}`))],
      rateLimitedWithoutRetry: refusals.filter((event) => event.code === "rate_limited" && !(event.retryable && (event.retryAfter ?? 0) > 0)).length,
    };
    expect(tally, `A's ${FLOOD_FRAMES} frames: ${accepted.length} accepted, ${refusals.length} refused, ${a.stray.length} stray`).toEqual({
      strayFrames: [],
      unanswered: 0,
      answeredTwice: 0,
      otherErrors: [],
      rateLimitedWithoutRetry: 0,
    });
    expect(accepted.length, "A got some messages through").toBeGreaterThan(0);
    expect(accepted.length, `A's per-user limit (4 a minute, ${minutes} minute(s))`).toBeLessThanOrEqual(4 * minutes);
    const perSession = new Map<string, number>();
    for (const id of accepted) {
      const { message } = answers.get(id)![0] as Extract<ServerEvent, { type: "message_accepted" }>;
      perSession.set(message.sessionId, (perSession.get(message.sessionId) ?? 0) + 1);
    }
    expect(Math.max(...perSession.values()), `A's per-session limit (1 a minute, ${minutes} minute(s))`).toBeLessThanOrEqual(minutes);

    // B was served throughout: every ping answered, both messages accepted and replied to.
    expect(pongs).toBeGreaterThan(0);
    expect(during.complete.message).toMatchObject({ role: "assistant", status: "complete" });
    expect(after.complete.message).toMatchObject({ role: "assistant", status: "complete" });

    // Each of A's accepted messages is stored once, and nothing else A sent was.
    for (const id of accepted) {
      const { message } = answers.get(id)![0] as Extract<ServerEvent, { type: "message_accepted" }>;
      await a.waitFor("message_complete", (event) => event.message.sessionId === message.sessionId && event.message.seq === message.seq + 1, { timeoutMs: HANG_CEILING_MS });
    }
    const stored = (await Promise.all(floodSessions.map((session) => storedMessages(realtime.api, flooder, session.id))))
      .flat()
      .filter((message) => message.role === "user")
      .map((message) => message.clientMessageId);
    expect(stored.sort()).toEqual([...accepted].sort());
  });
});
