import { createSession } from "./support/sessions";
import { acceptMessage, runTurn } from "./support/turn";
import { randomUUID } from "node:crypto";
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { withActor } from "@coach/core/actor";
import { offlineCoach, ProviderError, type AiProvider } from "@coach/core/ai";
import * as Okr from "@coach/core/okr";
import * as Conversation from "@coach/core/conversation";
import type { ServerEvent } from "@coach/core/realtime";
import { documentClient, tableName } from "@coach/core/table";
import * as Turn from "@coach/core/turn";
import { errorOf } from "./support/errors";

const newUser = () => `user-${randomUUID()}`;
const as = <T>(userId: string, fn: () => Promise<T>) => withActor({ type: "user", userId }, async () => fn());

function collectingSink() {
  const events: ServerEvent[] = [];
  return { events, sink: { send: async (event: ServerEvent) => void events.push(event) } };
}

async function newSession(user: string) {
  return as(user, () => createSession({}));
}

describe("accepting a user message", () => {
  it("stores it, advances the session and takes the turn lock in one step", async () => {
    const user = newUser();
    const session = await newSession(user);
    const accepted = await as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "c1", content: "I want to grow revenue" }));
    expect(accepted.kind).toBe("accepted");
    expect(accepted.message).toMatchObject({ seq: 1, role: "user", content: "I want to grow revenue", clientMessageId: "c1" });
    expect(accepted.ticket).toMatchObject({ sessionId: session.id, userId: user, userSeq: 1 });
    expect((await as(user, () => Conversation.get(session.id))).messageCount).toBe(1);
    expect(await Turn.readLock(session.id)).toMatchObject({ turnId: accepted.ticket!.turnId, userSeq: 1 });
  });

  it("refuses a second message while a reply is in flight, and stores nothing for it", async () => {
    const user = newUser();
    const session = await newSession(user);
    await as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "c1", content: "first" }));
    const error = await errorOf(as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "c2", content: "second" })));
    expect(error.code).toBe("turn.in_progress");
    expect(error.details).toMatchObject({ retryable: true });
    expect((await as(user, () => Conversation.get(session.id))).messageCount).toBe(1);
  });

  it("returns the original message for a resend of the same clientMessageId, without a second turn", async () => {
    const user = newUser();
    const session = await newSession(user);
    const first = await as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "same", content: "hello" }));
    const again = await as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "same", content: "hello" }));
    expect(again).toEqual({ kind: "duplicate", message: first.message });
    expect((await as(user, () => Conversation.get(session.id))).messageCount).toBe(1);
  });

  it("lets concurrent resends of one clientMessageId create exactly one message", async () => {
    const user = newUser();
    const session = await newSession(user);
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "race", content: "once" }))),
    );
    const fulfilled = results.filter((r): r is PromiseFulfilledResult<Turn.Accepted> => r.status === "fulfilled").map((r) => r.value);
    expect(fulfilled.filter((r) => r.kind === "accepted")).toHaveLength(1);
    expect(new Set(fulfilled.map((r) => r.message.id)).size).toBe(1);
    expect((await as(user, () => Conversation.get(session.id))).messageCount).toBe(1);
  });

  it("refuses other users and ended sessions", async () => {
    const user = newUser();
    const session = await newSession(user);
    expect((await errorOf(as(newUser(), () => acceptMessage({ sessionId: session.id, clientMessageId: "x", content: "hi" })))).code).toBe(
      "session.not_found",
    );
    await as(user, () => Conversation.end(session.id));
    expect((await errorOf(as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "x", content: "hi" })))).code).toBe(
      "session.not_active",
    );
  });

  it("rejects blank and oversized messages", async () => {
    const user = newUser();
    const session = await newSession(user);
    for (const content of ["   ", "x".repeat(Conversation.MAX_CONTENT_LENGTH + 1)]) {
      expect((await errorOf(as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "x", content })))).code).toBe("request.invalid");
    }
  });
});

describe("running a turn", () => {
  it("streams ordered deltas that concatenate to the stored reply, then completes and frees the session", async () => {
    const user = newUser();
    const session = await newSession(user);
    const { ticket } = await as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "c1", content: "Grow revenue" }));
    const { events, sink } = collectingSink();
    const outcome = await as(user, () => runTurn(ticket!, { provider: offlineCoach(), sink, requestId: "r1" }));
    expect(outcome.kind).toBe("completed");
    if (outcome.kind !== "completed") return;
    const deltas = events.filter((e): e is Extract<ServerEvent, { type: "message_delta" }> => e.type === "message_delta");
    expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => i));
    expect(deltas.map((d) => d.delta).join("")).toBe(outcome.message.content);
    expect(outcome.frames).toBeLessThan(outcome.deltas);
    expect(outcome.message).toMatchObject({ seq: 2, role: "assistant", status: "complete", id: `${session.id}.m2` });
    expect(outcome.message.usage?.outputTokens).toBeGreaterThan(0);
    // The OKR coach drafts an objective from the first message, which moves discovery on before the reply streams.
    expect(events.map((e) => e.type)).toEqual([
      "typing_indicator",
      "phase_transition",
      ...deltas.map(() => "message_delta"),
      "message_complete",
      "typing_indicator",
    ]);
    expect(events[1]).toEqual({ type: "phase_transition", sessionId: session.id, from: "discovery", to: "refinement" });
    expect(await Turn.readLock(session.id)).toBeUndefined();
    expect((await as(user, () => Conversation.history({ sessionId: session.id }))).messages.map((m) => m.role)).toEqual(["user", "assistant"]);
  });

  it("stores the flow's new state and phase through its tools, and records the transition", async () => {
    const user = newUser();
    const session = await newSession(user);
    const { ticket } = await as(user, () =>
      acceptMessage({ sessionId: session.id, clientMessageId: "c1", content: "I want to grow our weekly active users this quarter" }),
    );
    await as(user, () => runTurn(ticket!, { provider: offlineCoach(), sink: collectingSink().sink, requestId: "r1" }));
    const okrs = await as(user, () => Okr.okrSet(session.id));
    expect(okrs.draft.objective?.statement).toMatch(/weekly active users/i);
    expect(okrs.draftVersion).toBe(1);
    expect(okrs.phase).toBe("refinement");
    expect(okrs.transitions).toEqual([expect.objectContaining({ from: "discovery", to: "refinement", by: "rule" })]);
    expect((await as(user, () => Conversation.get(session.id))).phase).toBe("refinement");
  });

  it("reports an invalid tool input back to the model and stores nothing", async () => {
    const user = newUser();
    const session = await newSession(user);
    const { ticket } = await as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "c1", content: "hi" }));
    const results: { content: string; isError?: boolean }[] = [];
    const toolUser: AiProvider = {
      name: "tool-user",
      async *stream(request) {
        results.push(await request.runTool!({ id: "t1", name: "update_okr_draft", input: { objective: { statement: 42 } } }));
        yield { type: "delta", text: "Let me try again." };
        yield { type: "done", usage: { inputTokens: 1, outputTokens: 1 } };
      },
    };
    const outcome = await as(user, () => runTurn(ticket!, { provider: toolUser, sink: collectingSink().sink, requestId: "r" }));
    expect(outcome.kind).toBe("completed");
    expect(results).toEqual([{ content: expect.stringContaining("objective"), isError: true }]);
    expect((await as(user, () => Okr.okrSet(session.id))).draftVersion).toBe(0);
  });

  it("on a provider failure mid-stream stores nothing, reports a retryable error and frees the session; a resend then retries", async () => {
    const user = newUser();
    const session = await newSession(user);
    const { ticket } = await as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "c1", content: "Grow revenue" }));
    const { events, sink } = collectingSink();
    const outcome = await as(user, () => runTurn(ticket!, { provider: offlineCoach({ failAfterDeltas: 3 }), sink, requestId: "r1" }));
    expect(outcome).toMatchObject({ kind: "failed", code: "provider_error", retryable: true });
    expect(events.find((e) => e.type === "session_error")).toMatchObject({ code: "provider_error", retryable: true, requestId: "r1" });
    expect(events.some((e) => e.type === "message_complete")).toBe(false);
    expect((await as(user, () => Conversation.history({ sessionId: session.id }))).messages.map((m) => m.role)).toEqual(["user"]);
    expect(await Turn.readLock(session.id)).toBeUndefined();

    const resend = await as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "c1", content: "Grow revenue" }));
    expect(resend.kind).toBe("duplicate");
    expect(resend.ticket).toBeDefined();
    const retried = await as(user, () => runTurn(resend.ticket!, { provider: offlineCoach(), sink, requestId: "r2" }));
    expect(retried.kind).toBe("completed");
    const again = await as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "c1", content: "Grow revenue" }));
    expect(again).toEqual({ kind: "duplicate", message: resend.message });
  });

  it("treats a non-retryable provider error as not retryable", async () => {
    const user = newUser();
    const session = await newSession(user);
    const { ticket } = await as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "c1", content: "hi" }));
    const broken: AiProvider = {
      name: "broken",
      // eslint-disable-next-line require-yield
      async *stream() {
        throw new ProviderError("bad request", false);
      },
    };
    const { events, sink } = collectingSink();
    const outcome = await as(user, () => runTurn(ticket!, { provider: broken, sink, requestId: "r" }));
    expect(outcome).toMatchObject({ kind: "failed", retryable: false });
    expect(events.find((e) => e.type === "session_error")).toMatchObject({ retryable: false });
  });

  it("runs once when the same job is delivered twice", async () => {
    const user = newUser();
    const session = await newSession(user);
    const { ticket } = await as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "c1", content: "hi" }));
    const [a, b] = await Promise.all([
      as(user, () => runTurn(ticket!, { provider: offlineCoach({ delayMs: 5 }), sink: collectingSink().sink, requestId: "a" })),
      as(user, () => runTurn(ticket!, { provider: offlineCoach({ delayMs: 5 }), sink: collectingSink().sink, requestId: "b" })),
    ]);
    expect([a.kind, b.kind].sort()).toEqual(["completed", "skipped"]);
    expect((await as(user, () => Conversation.get(session.id))).messageCount).toBe(2);
  });

  it("lets a new message through once a crashed turn's lock has expired", async () => {
    const user = newUser();
    const session = await newSession(user);
    await as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "c1", content: "hi" }));
    // The worker died without a trace: age its lock past expiry, as time would.
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: `SESSION#${session.id}`, sk: "TURN" },
        UpdateExpression: "SET expiresAt = :past",
        ExpressionAttributeValues: { ":past": Date.now() - 1 },
      }),
    );
    expect(await Turn.readLock(session.id)).toBeUndefined();
    const next = await as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "c2", content: "still there?" }));
    expect(next.kind).toBe("accepted");
    const lock = await documentClient.send(new GetCommand({ TableName: tableName, Key: { pk: `SESSION#${session.id}`, sk: "TURN" } }));
    expect(lock.Item?.turnId).toBe(next.ticket?.turnId);
  });
});

describe("rate limiting", () => {
  it("refuses messages past the per-session limit with the seconds to wait", async () => {
    const { consume } = await import("@coach/core/ratelimit");
    const key = `session#test-${randomUUID()}`;
    const minuteStart = Math.floor(Date.now() / 60_000) * 60_000;
    for (let i = 0; i < 3; i++) await consume([{ key, perMinute: 3 }], minuteStart + 10_000);
    const error = await errorOf(consume([{ key, perMinute: 3 }], minuteStart + 45_000));
    expect(error.code).toBe("rate.limited");
    expect(error.details).toEqual({ retryAfter: 15 });
    await consume([{ key, perMinute: 3 }], minuteStart + 60_000);
  });

  it("never lets concurrent requests past the limit together", async () => {
    const { consume } = await import("@coach/core/ratelimit");
    const key = `user#test-${randomUUID()}`;
    const now = Date.now();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => consume([{ key, perMinute: 5 }], now)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(5);
  });
});
