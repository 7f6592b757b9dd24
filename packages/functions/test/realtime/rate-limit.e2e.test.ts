import { describe, expect, it, vi } from "vitest";
import { newUser } from "../support/api";
import { closeAllClients, expectCleanTraffic, RealtimeClient, sendAndAwaitReply, sleep, storedMessages } from "./support/ws-client";
import { useRealtimeStack } from "./support/realtime-stack";

// Core reads its rate limits once at import: set them before anything imports it (this file has its own module graph).
vi.hoisted(() => {
  process.env.RATE_LIMIT_SESSION_PER_MINUTE = "3";
  process.env.RATE_LIMIT_USER_PER_MINUTE = "5";
});

const realtime = useRealtimeStack();
const connect = (user: string) => realtime.connect(user);

/**
 * The limits count per fixed minute, and a scenario only shows them inside one. It starts well inside a minute;
 * should a busy machine still carry it across a boundary, the limits reset midway and prove nothing either way,
 * so it runs again in the next minute, with fresh users. A failure within one minute is the verdict.
 */
async function withinOneMinute(scenario: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 8_000) await sleep(left + 50);
    const minute = Math.floor(Date.now() / 60_000);
    try {
      return await scenario();
    } catch (error) {
      if (Math.floor(Date.now() / 60_000) === minute || attempt === 3) throw error;
    }
  }
}

describe("rate limits on send_message", () => {
  it("the 4th message to a session within a minute gets session_error rate_limited with retryAfter, and is not stored", () => withinOneMinute(async () => {
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const client = await connect(user);
    for (let i = 1; i <= 3; i++) await sendAndAwaitReply(client, session.id, `c-rate-${i}`, `message ${i}`);

    const error = await client.expectError({ action: "send_message", sessionId: session.id, clientMessageId: "c-rate-4", content: "message 4" }, "rate_limited");
    expect(error).toMatchObject({ retryable: true, sessionId: session.id, clientMessageId: "c-rate-4", requestId: expect.any(String) });
    expect(error.retryAfter).toBeGreaterThan(0);
    expect(error.retryAfter).toBeLessThanOrEqual(60);
    await client.ping();
    expect((await storedMessages(realtime.api, user, session.id)).map((message) => message.seq)).toEqual([1, 2, 3, 4, 5, 6]);

    // A resend of an accepted message is a duplicate, not a new message: it is never rate-limited.
    const duplicate = await client.request(
      { action: "send_message", sessionId: session.id, clientMessageId: "c-rate-2", content: "message 2" },
      "message_accepted",
      (event) => event.clientMessageId === "c-rate-2",
    );
    expect(duplicate.message.seq).toBe(3);

    // The REST fallback shares the same limit.
    const rest = await realtime.api.post(`/api/sessions/${session.id}/messages`, { as: user, json: { clientMessageId: "c-rate-5", content: "message 5" } });
    expect(rest.status, rest.text).toBe(429);
  }));

  it("the user limit spans sessions: the 6th message of a user within a minute is refused in any session", () => withinOneMinute(async () => {
    const user = newUser();
    const first = await realtime.api.createSession(user);
    const second = await realtime.api.createSession(user);
    const client = await connect(user);
    for (let i = 1; i <= 3; i++) await sendAndAwaitReply(client, first.id, `c-user-a${i}`, `first ${i}`);
    for (let i = 1; i <= 2; i++) await sendAndAwaitReply(client, second.id, `c-user-b${i}`, `second ${i}`);
    const error = await client.expectError({ action: "send_message", sessionId: second.id, clientMessageId: "c-user-b3", content: "second 3" }, "rate_limited");
    expect(error.retryAfter).toBeGreaterThan(0);
    await client.ping();
    // Another user is not affected.
    const other = newUser();
    const otherSession = await realtime.api.createSession(other);
    await sendAndAwaitReply(await connect(other), otherSession.id, "c-other-1", "unaffected");
  }));
});
