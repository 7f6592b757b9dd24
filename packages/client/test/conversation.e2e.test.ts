import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testStackConfig } from "../../../test/env";
import { startLocalStack, type LocalStack } from "../../local/src/stack";
import { ApiError, ConversationClient } from "../src/index";

/** ConversationClient against every conversation route of a real local stack (real fetch, real tokens). */
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack(testStackConfig());
});

afterAll(async () => {
  await stack?.stop();
});

const clientFor = (user = `client-${randomUUID()}`) => new ConversationClient({ baseUrl: stack.httpUrl, token: stack.issuer.token(user) });

async function apiError(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe("ConversationClient", () => {
  it("creates, lists, gets, sends (idempotently), pages history, rates, exports, reads OKRs and transitions", async () => {
    let tokenCalls = 0;
    const user = `client-${randomUUID()}`;
    const api = new ConversationClient({
      baseUrl: `${stack.httpUrl}/`,
      getToken: async () => {
        tokenCalls++;
        return stack.issuer.token(user);
      },
    });
    const session = await api.createSession({ flow: "okr", metadata: { team: "growth" } });
    expect(session).toMatchObject({ userId: user, flow: "okr", phase: "discovery", status: "active", metadata: { team: "growth" } });
    expect(tokenCalls).toBe(1);
    const other = await api.createSession();
    expect((await api.getSession(session.id)).id).toBe(session.id);

    const first = await api.sendMessage(session.id, "I want to grow weekly active users of our habit app");
    expect(first.duplicate).toBe(false);
    expect(first.clientMessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.userMessage).toMatchObject({ seq: 1, role: "user", clientMessageId: first.clientMessageId });
    expect(first.assistantMessage).toMatchObject({ seq: 2, role: "assistant", status: "complete" });
    // A retry of the same message: the original pair, no second reply.
    const again = await api.sendMessage(session.id, "I want to grow weekly active users of our habit app", { clientMessageId: first.clientMessageId });
    expect(again.duplicate).toBe(true);
    expect(again.assistantMessage).toEqual(first.assistantMessage);
    const second = await api.sendMessage(session.id, "Weekly active users, from 12000 to 18000 by June 30", { clientMessageId: "second-1" });
    expect(second.userMessage.seq).toBe(3);

    const page = await api.history(session.id, { limit: 3 });
    expect(page.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(page.nextCursor).toEqual(expect.any(String));
    expect((await api.history(session.id, { afterSeq: 2 })).messages.map((m) => m.seq)).toEqual([3, 4]);
    const all = await api.allMessages(session.id, { pageSize: 1 });
    expect(all.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    const seen: number[] = [];
    for await (const message of api.messages(session.id, { afterSeq: 1, pageSize: 2 })) seen.push(message.seq);
    expect(seen).toEqual([2, 3, 4]);

    const listed = await api.listSessions({ type: "active", limit: 1 });
    expect(listed.sessions).toHaveLength(1);
    expect(listed.nextCursor).toEqual(expect.any(String));
    const ids: string[] = [];
    for await (const s of api.sessions({ type: "active", pageSize: 1 })) ids.push(s.id);
    expect(ids.sort()).toEqual([session.id, other.id].sort());

    const feedback = await api.feedback(session.id, first.assistantMessage.id, { rating: "up", comment: "useful" });
    expect(feedback).toMatchObject({ sessionId: session.id, messageId: first.assistantMessage.id, rating: "up", comment: "useful", userId: user });

    const okrs = await api.okrs(session.id);
    expect(okrs.sessionId).toBe(session.id);
    expect(okrs.draft.objective?.statement).toEqual(expect.any(String));
    expect(okrs.scores.overall).toEqual(expect.any(Number));

    const moved = await api.transition(other.id, "kr_discovery");
    expect(moved.session.phase).toBe("kr_discovery");
    expect(moved.transitions).toEqual([expect.objectContaining({ from: "discovery", to: "kr_discovery", by: "user" })]);

    const json = await api.exportSession(session.id, "json");
    expect(json.session.id).toBe(session.id);
    expect(json.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(json.feedback).toHaveLength(1);
    expect(json.okr?.draft.objective).toBeDefined();
    const markdown = await api.exportSession(session.id, "markdown");
    expect(markdown).toContain(`# Session ${session.id}`);
    expect(markdown).toContain("## Transcript");
  });

  it("ends, resumes, resolves and deletes; errors are ApiErrors carrying the problem", async () => {
    const api = clientFor();
    const session = await api.createSession({ flow: "chat" });
    await api.sendMessage(session.id, "hello there");

    const ended = await api.end(session.id);
    expect(ended.status).toBe("ended");
    expect((await api.listSessions({ type: "unresolved" })).sessions.map((s) => s.id)).toEqual([session.id]);
    const notActive = await apiError(api.sendMessage(session.id, "still there?", { retries: 0 }));
    expect(notActive.status).toBe(409);

    const resumed = await api.resume(session.id);
    expect(resumed.session.status).toBe("active");
    expect(resumed.messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(resumed.nextCursor).toBeNull();

    const resolved = await api.resolve(session.id, "sorted out");
    expect(resolved).toMatchObject({ status: "ended", isResolved: true, resolutionNotes: "sorted out" });
    const conflict = await apiError(api.resume(session.id));
    expect(conflict.status).toBe(409);
    expect(conflict.problem.type).toBe(`urn:coach:problem:${conflict.code}`);

    const okrsOfChat = await apiError(api.okrs(session.id));
    expect(okrsOfChat).toMatchObject({ status: 404, code: "okr.not_found" });

    await api.deleteSession(session.id);
    const gone = await apiError(api.getSession(session.id));
    expect(gone).toMatchObject({ status: 404, code: "session.not_found", detail: "Session not found" });
    expect(gone.traceId).toEqual(expect.any(String));
    expect(gone.problem).toMatchObject({ title: "Not Found", instance: `/api/sessions/${session.id}`, traceId: gone.traceId });
    expect(gone.retryable).toBe(false);
    expect(gone.message).toContain("session.not_found");

    // Someone else's session is not found either; a bad token is a 401 problem.
    const mine = await api.createSession();
    expect((await apiError(clientFor().getSession(mine.id))).status).toBe(404);
    const anonymous = new ConversationClient({ baseUrl: stack.httpUrl, token: "not-a-jwt" });
    expect((await apiError(anonymous.listSessions())).status).toBe(401);
    const badCursor = await apiError(api.history(mine.id, { cursor: "garbage" }));
    expect(badCursor).toMatchObject({ status: 400, code: "cursor.invalid" });
  });
});
