import { createSession } from "./support/sessions";
import { acceptMessage } from "./support/turn";
import { randomUUID } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { withActor } from "@coach/core/actor";
import * as Conversation from "@coach/core/conversation";
import { dynamoCallCounts, resetDynamoCallCounts } from "../../../test/dynamo-calls";
import * as Turn from "@coach/core/turn";
import { errorOf } from "./support/errors";

/**
 * The rate limit is the first thing a message meets: a message over it costs
 * one conditional write (and one read to tell a resend from a new message),
 * before the session is read, so a flood cannot buy reads with refused frames.
 */
vi.hoisted(() => {
  process.env.RATE_LIMIT_SESSION_PER_MINUTE = "1";
  process.env.RATE_LIMIT_USER_PER_MINUTE = "100";
});

const newUser = () => `user-${randomUUID()}`;
const as = <T>(userId: string, fn: () => Promise<T>) => withActor({ type: "user", userId }, async () => fn());

/** The limits are fixed one-minute windows: keep a test's messages inside one. */
async function freshWindow(needMs = 10_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

describe("the rate limit comes first", () => {
  it("refuses a message over the limit with one conditional write and one read, before reading the session", async () => {
    await freshWindow();
    const user = newUser();
    const session = await as(user, () => createSession({}));
    const first = await as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "c1", content: "first" }));
    expect(first.kind).toBe("accepted");

    resetDynamoCallCounts();
    const error = await errorOf(as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "c2", content: "second" })));
    expect(error).toMatchObject({ kind: "rate_limited", code: "rate.limited", details: { retryAfter: expect.any(Number) } });
    expect(dynamoCallCounts()).toEqual({ UpdateItemCommand: 1, GetItemCommand: 1 });

    // A resend over the limit is still answered with the stored message: it creates nothing.
    const resend = await as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "c1", content: "first" }));
    expect(resend).toMatchObject({ kind: "duplicate", message: { id: first.message.id } });
  });

  it("counts a session's messages per caller, so another user's attempts cannot spend the owner's budget", async () => {
    await freshWindow();
    const owner = newUser();
    const session = await as(owner, () => createSession({}));
    const intruder = newUser();
    for (const n of [1, 2, 3]) {
      const error = await errorOf(as(intruder, () => acceptMessage({ sessionId: session.id, clientMessageId: `x${n}`, content: "mine now" })));
      expect(error.kind).toMatch(/^(not_found|rate_limited)$/);
    }
    const accepted = await as(owner, () => acceptMessage({ sessionId: session.id, clientMessageId: "c1", content: "still mine" }));
    expect(accepted.kind).toBe("accepted");
  });
});
