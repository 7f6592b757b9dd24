import { acceptMessage } from "../../../core/test/support/turn";
import { afterEach, describe, expect, it } from "vitest";
import { withActor } from "@coach/core/actor";
import * as Turn from "@coach/core/turn";
import { newUser } from "../support/api";
import { sendAndAwaitReply, storedMessages } from "./support/ws-client";
import { testClock } from "../../../core/test/support/clock";
import { useRealtimeStack } from "./support/realtime-stack";

const realtime = useRealtimeStack();
const connect = (user: string) => realtime.connect(user);

afterEach(() => testClock.reset());

/**
 * The lock's period passes with nothing renewing it: core's clock (which the
 * in-process handlers read) moves past its expiry, so the verdict never
 * depends on how long this machine takes between two requests.
 */
async function lockExpired(sessionId: string): Promise<void> {
  const lock = await Turn.readLock(sessionId);
  if (!lock) throw new Error(`the session ${sessionId} holds no lock`);
  testClock.set(lock.expiresAt + 1);
  expect(await Turn.readLock(sessionId)).toBeUndefined();
}

/** A message accepted (stored, lock taken) whose turn never runs: the worker died before it started. */
const acceptWithoutTurn = (user: string, sessionId: string, clientMessageId: string) =>
  withActor({ type: "user", userId: user }, () => acceptMessage({ sessionId, clientMessageId, content: "the worker died on this one" }));

describe("a killed turn's lock", () => {
  it("refuses new messages with turn_in_progress while it holds, and expires so the session is usable again", async () => {
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const accepted = await acceptWithoutTurn(user, session.id, "c-dead");
    expect(accepted.kind).toBe("accepted");

    const client = await connect(user);
    const refused = await client.expectError({ action: "send_message", sessionId: session.id, clientMessageId: "c-new-1", content: "anyone there?" }, "turn_in_progress");
    expect(refused).toMatchObject({ retryable: true, clientMessageId: "c-new-1" });
    const status = await client.request({ action: "get_session_status", sessionId: session.id }, "session_status");
    expect(status.turnInProgress).toBe(true);

    await lockExpired(session.id);
    const next = await sendAndAwaitReply(client, session.id, "c-new-1", "anyone there?");
    expect(next.accepted.message.seq).toBe(2);
    expect(next.complete.message.seq).toBe(3);
    const stored = await storedMessages(realtime.api, user, session.id);
    expect(stored.map((message) => `${message.seq}:${message.role}`)).toEqual(["1:user", "2:user", "3:assistant"]);
  });

  it("after it expires, a resend of the dead turn's clientMessageId is the retry and gets the reply", async () => {
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const accepted = await acceptWithoutTurn(user, session.id, "c-dead");
    const client = await connect(user);
    // While the lock holds, the resend is only the original message again (no second turn).
    const early = await client.request(
      { action: "send_message", sessionId: session.id, clientMessageId: "c-dead", content: "the worker died on this one" },
      "message_accepted",
    );
    expect(early.message).toEqual(accepted.message);

    await lockExpired(session.id);
    const retry = await sendAndAwaitReply(client, session.id, "c-dead", "the worker died on this one");
    expect(retry.accepted.message).toEqual(accepted.message);
    expect(retry.complete.message.seq).toBe(2);
    const stored = await storedMessages(realtime.api, user, session.id);
    expect(stored.map((message) => `${message.seq}:${message.role}`)).toEqual(["1:user", "2:assistant"]);
  });
});
