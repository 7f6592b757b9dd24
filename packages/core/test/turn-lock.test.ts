import { createSession } from "./support/sessions";
import { acceptMessage, runTurn } from "./support/turn";
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { AiProvider } from "@coach/core/ai";
import { testClock } from "./support/clock";
import { HANG_CEILING_MS } from "../../../test/ceiling";

// A one-second lock, read when core's turn module loads: this file's imports are dynamic so it applies.
process.env.TURN_LOCK_SECONDS = "1";
const { withActor } = await import("@coach/core/actor");
const { offlineCoach } = await import("@coach/core/ai");
const Conversation = await import("@coach/core/conversation");
const Turn = await import("@coach/core/turn");

const sink = { send: async () => undefined };
type Lock = NonNullable<Awaited<ReturnType<typeof Turn.readLock>>>;

/** Waits (however long a busy machine takes) until the worker has renewed the lock past `expiresAt`. */
async function renewedPast(sessionId: string, expiresAt: number): Promise<Lock> {
  const deadline = Date.now() + HANG_CEILING_MS;
  for (;;) {
    const lock = await Turn.readLock(sessionId);
    if (lock && lock.expiresAt > expiresAt) return lock;
    if (Date.now() > deadline) throw new Error(`the lock of ${sessionId} was not renewed within ${HANG_CEILING_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

afterEach(() => testClock.reset());

describe("the turn lock", () => {
  it("is renewed while a slow reply streams, so a reply that outlives the lock period completes", async () => {
    const userId = `user-${randomUUID()}`;
    await withActor({ type: "user", userId }, async () => {
      const session = await createSession({});
      const { ticket } = await acceptMessage({ sessionId: session.id, clientMessageId: "c1", content: "Grow revenue" });
      const coach = offlineCoach({ delayMs: 0 });
      const held: { claimed?: Lock; whileStreaming?: Lock } = {};
      // The stream stalls after its first delta until the worker has renewed the lock, then the clock moves past the
      // period the turn was claimed for: the lock must still be the turn's.
      const slow: AiProvider = {
        name: "slow",
        async *stream(request) {
          let first = true;
          for await (const event of coach.stream(request)) {
            yield event;
            if (!first) continue;
            first = false;
            held.claimed = await Turn.readLock(session.id);
            await renewedPast(session.id, held.claimed!.expiresAt);
            testClock.set(held.claimed!.expiresAt + 1);
            held.whileStreaming = await Turn.readLock(session.id);
          }
        },
      };
      const outcome = await runTurn(ticket!, { provider: slow, sink, requestId: "r" });
      expect(held.claimed, "the worker holds the lock when the stream starts").toBeDefined();
      expect(held.whileStreaming, "past its first expiry the lock is still held, renewed").toMatchObject({ turnId: held.claimed!.turnId });
      expect(held.whileStreaming!.expiresAt).toBeGreaterThan(held.claimed!.expiresAt);
      expect(outcome.kind).toBe("completed");
      expect(await Turn.readLock(session.id)).toBeUndefined();
    });
  });

  it("expires on its own when nothing renews it (a crashed worker)", async () => {
    const userId = `user-${randomUUID()}`;
    testClock.set(Date.now());
    await withActor({ type: "user", userId }, async () => {
      const session = await createSession({});
      await acceptMessage({ sessionId: session.id, clientMessageId: "c1", content: "hello" });
      await expect(acceptMessage({ sessionId: session.id, clientMessageId: "c2", content: "again" })).rejects.toMatchObject({
        code: "turn.in_progress",
      });
      const lock = await Turn.readLock(session.id);
      expect(lock).toBeDefined();
      // The lock period passes with no worker renewing it.
      testClock.set(lock!.expiresAt + 1);
      const next = await acceptMessage({ sessionId: session.id, clientMessageId: "c2", content: "again" });
      expect(next.kind).toBe("accepted");
    });
  });
});
