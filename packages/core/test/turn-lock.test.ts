import { createSession } from "./support/sessions";
import { acceptMessage, runTurn } from "./support/turn";
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { AiProvider } from "@coach/core/ai";

// A one-second lock, read when core's turn module loads: this file's imports are dynamic so it applies.
process.env.TURN_LOCK_SECONDS = "1";
const { withActor } = await import("@coach/core/actor");
const { offlineCoach } = await import("@coach/core/ai");
const Conversation = await import("@coach/core/conversation");
const Turn = await import("@coach/core/turn");

const sink = { send: async () => undefined };
type Lock = NonNullable<Awaited<ReturnType<typeof Turn.readLock>>>;

/** Waits, on the clock the lock itself is judged by, until `expiresAt` has passed. */
async function pastExpiry(expiresAt: number): Promise<void> {
  while (Date.now() <= expiresAt + 50) await new Promise((resolve) => setTimeout(resolve, Math.max(10, expiresAt + 50 - Date.now())));
}

describe("the turn lock", () => {
  it("is renewed while a slow reply streams, so a reply that outlives the lock period completes", async () => {
    const userId = `user-${randomUUID()}`;
    await withActor({ type: "user", userId }, async () => {
      const session = await createSession({});
      const { ticket } = await acceptMessage({ sessionId: session.id, clientMessageId: "c1", content: "Grow revenue" });
      const coach = offlineCoach({ delayMs: 0 });
      const held: { claimed?: Lock; whileStreaming?: Lock } = {};
      // The stream stalls after its first delta until the lock it started under has expired, however long that takes here.
      const slow: AiProvider = {
        name: "slow",
        async *stream(request) {
          let first = true;
          for await (const event of coach.stream(request)) {
            yield event;
            if (!first) continue;
            first = false;
            held.claimed = await Turn.readLock(session.id);
            await pastExpiry(held.claimed!.expiresAt);
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
    await withActor({ type: "user", userId }, async () => {
      const session = await createSession({});
      await acceptMessage({ sessionId: session.id, clientMessageId: "c1", content: "hello" });
      await expect(acceptMessage({ sessionId: session.id, clientMessageId: "c2", content: "again" })).rejects.toMatchObject({
        code: "turn.in_progress",
      });
      const lock = await Turn.readLock(session.id);
      expect(lock).toBeDefined();
      await pastExpiry(lock!.expiresAt);
      const next = await acceptMessage({ sessionId: session.id, clientMessageId: "c2", content: "again" });
      expect(next.kind).toBe("accepted");
    });
  });
});
