import { acceptMessage } from "../../../core/test/support/turn";
import { describe, expect, it, vi } from "vitest";
import { withActor } from "@coach/core/actor";
import * as Turn from "@coach/core/turn";
import { newUser } from "../support/api";
import { closeAllClients, expectCleanTraffic, RealtimeClient, sendAndAwaitReply, sleep, storedMessages } from "./support/ws-client";
import { HANG_CEILING_MS } from "../../../../test/ceiling";
import { useRealtimeStack } from "./support/realtime-stack";

// Core reads the lock period once at import: set it before anything imports core (this file has its own module graph).
vi.hoisted(() => {
  process.env.TURN_LOCK_SECONDS = "1";
});

const realtime = useRealtimeStack();
const connect = (user: string) => realtime.connect(user);

/** A message accepted (stored, lock taken) whose turn never runs: the worker died before it started. */
/** Until the lock's own expiry has passed, by the clock it is judged by. */
async function lockExpired(sessionId: string): Promise<void> {
  const deadline = Date.now() + HANG_CEILING_MS;
  while ((await Turn.readLock(sessionId)) !== undefined) {
    if (Date.now() > deadline) throw new Error(`the lock of ${sessionId} still holds after ${HANG_CEILING_MS} ms`);
    await sleep(50);
  }
}

const acceptWithoutTurn = (user: string, sessionId: string, clientMessageId: string) =>
  withActor({ type: "user", userId: user }, () => acceptMessage({ sessionId, clientMessageId, content: "the worker died on this one" }));

describe("a killed turn's lock", () => {
  it("refuses new messages with turn_in_progress while it holds, and expires so the session is usable again", async () => {
    expect(Turn.lockSeconds()).toBe(1);
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
