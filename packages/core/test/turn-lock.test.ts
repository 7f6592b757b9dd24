import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";

// A one-second lock, read when core's turn module loads: this file's imports are dynamic so it applies.
process.env.TURN_LOCK_SECONDS = "1";
const { withActor } = await import("@coach/core/actor");
const { offlineCoach } = await import("@coach/core/ai");
const Conversation = await import("@coach/core/conversation");
const Turn = await import("@coach/core/turn");

const sink = { send: async () => undefined };

describe("the turn lock", () => {
  it("is renewed while a slow reply streams, so a reply longer than the lock period completes", async () => {
    const userId = `user-${randomUUID()}`;
    await withActor({ type: "user", userId }, async () => {
      const session = await Conversation.create({});
      const { ticket } = await Turn.acceptUserMessage({ sessionId: session.id, clientMessageId: "c1", content: "Grow revenue" });
      const started = Date.now();
      // ~30 words at 80 ms: about 2.5 s, well past the 1 s lock.
      const outcome = await Turn.runTurn(ticket!, { provider: offlineCoach({ delayMs: 80 }), sink, requestId: "r" });
      expect(Date.now() - started).toBeGreaterThan(1500);
      expect(outcome.kind).toBe("completed");
      expect(await Turn.readLock(session.id)).toBeUndefined();
    });
  });

  it("expires on its own when nothing renews it (a crashed worker)", async () => {
    const userId = `user-${randomUUID()}`;
    await withActor({ type: "user", userId }, async () => {
      const session = await Conversation.create({});
      await Turn.acceptUserMessage({ sessionId: session.id, clientMessageId: "c1", content: "hello" });
      await expect(Turn.acceptUserMessage({ sessionId: session.id, clientMessageId: "c2", content: "again" })).rejects.toMatchObject({
        code: "turn.in_progress",
      });
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const next = await Turn.acceptUserMessage({ sessionId: session.id, clientMessageId: "c2", content: "again" });
      expect(next.kind).toBe("accepted");
    });
  });
});
