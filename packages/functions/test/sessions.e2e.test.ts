// The functions package does not depend on the SDK; core does, and its table is the one to inspect.
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withActor } from "@coach/core/actor";
import * as Conversation from "@coach/core/conversation";
import { documentClient, tableName } from "@coach/core/table";
import { testStackConfig } from "../../../test/env";
import { startLocalStack, type LocalStack } from "../../local/src/stack";
import { apiClient, expectProblem, expectStandardHeaders, ISO_TIMESTAMP, newUser, type Api, type SessionBody } from "./support/api";

/**
 * The REST API used as intended, over real HTTP against the local runtime:
 * every route of the manifest, with whole responses asserted.
 */
let stack: LocalStack;
let api: Api;

beforeAll(async () => {
  stack = await startLocalStack(testStackConfig());
  api = apiClient(stack);
});

afterAll(async () => {
  await stack?.stop();
});

/** Messages are written through core, as the conversation turn would, in the same table. */
const appendMessages = (userId: string, sessionId: string, messages: { role: "user" | "assistant"; content: string }[]) =>
  withActor({ type: "user", userId }, async () => {
    const stored: Conversation.Message[] = [];
    for (const message of messages) stored.push(await Conversation.appendMessage({ sessionId, ...message }));
    return stored;
  });

const conversation = (turns: number) =>
  Array.from({ length: turns }, (_, i) => ({ role: i % 2 === 0 ? ("user" as const) : ("assistant" as const), content: `message ${i + 1}` }));

async function partitionItems(sessionId: string) {
  const result = await documentClient.send(
    new QueryCommand({ TableName: tableName, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": `SESSION#${sessionId}` } }),
  );
  return result.Items ?? [];
}

const ids = (sessions: { id: string }[]) => sessions.map((session) => session.id);

describe("GET /health", () => {
  it("answers 200 {status: ok} without a token, as JSON that is never cached", async () => {
    const response = await api.get("/health");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-trace-id")).toBeTruthy();
    expect(response.body).toEqual({ status: "ok" });
    expectStandardHeaders(response);
  });
});

describe("GET /health/ready", () => {
  it("answers 200 with the table check when the table is reachable", async () => {
    const response = await api.get("/health/ready");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.body).toEqual({ status: "ready", checks: { table: "ok" } });
  });
});

describe("POST /api/sessions", () => {
  it("creates an active OKR session in the discovery phase by default and answers 201 with it", async () => {
    const user = newUser();
    const response = await api.post("/api/sessions", { as: user, json: {} });
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toBe("application/json");
    expectStandardHeaders(response);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^ses_[0-9A-Z]{26}$/),
      userId: user,
      flow: "okr",
      phase: "discovery",
      status: "active",
      isResolved: false,
      messageCount: 0,
      lastActivity: expect.stringMatching(ISO_TIMESTAMP),
      createdAt: expect.stringMatching(ISO_TIMESTAMP),
      metadata: {},
      version: 1,
    });
    expect(response.body.lastActivity).toBe(response.body.createdAt);
  });

  it("accepts a request without any body and applies the same defaults", async () => {
    const user = newUser();
    const response = await api.post<SessionBody>("/api/sessions", { as: user });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ userId: user, flow: "okr", phase: "discovery", metadata: {} });
  });

  it("starts the chat flow in its own phase and keeps the caller's metadata as sent", async () => {
    const user = newUser();
    const metadata = { team: "growth", quarter: "Q3", tags: ["a", "b"], nested: { depth: 2 } };
    const response = await api.post<SessionBody>("/api/sessions", { as: user, json: { flow: "chat", metadata } });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ flow: "chat", phase: "chat", metadata });
    const read = await api.get(`/api/sessions/${response.body.id}`, { as: user });
    expect(read.body.metadata).toEqual(metadata);
  });

  it("rejects a flow that does not exist with 400 naming the field", async () => {
    const response = await api.post("/api/sessions", { as: newUser(), json: { flow: "therapy" } });
    expectProblem(response, 400, "request.invalid_body");
    expect(response.body.issues).toEqual([{ path: "flow", message: expect.any(String) }]);
  });

  it("rejects metadata larger than 8 KB of JSON with 400", async () => {
    const response = await api.post("/api/sessions", { as: newUser(), json: { metadata: { blob: "x".repeat(9000) } } });
    expectProblem(response, 400, "request.invalid_body");
    expect(response.body.issues).toEqual([{ path: "metadata", message: expect.stringContaining("8192") }]);
  });
});

describe("GET /api/sessions", () => {
  it("answers an empty first page for a user without sessions", async () => {
    const response = await api.get("/api/sessions", { as: newUser() });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.body).toEqual({ sessions: [], nextCursor: null });
  });

  it("lists the caller's sessions, newest activity first, and nobody else's", async () => {
    const user = newUser();
    const first = await api.createSession(user);
    const second = await api.createSession(user);
    const third = await api.createSession(user);
    await api.createSession(newUser()); // someone else's
    // New activity moves the first session to the top.
    await appendMessages(user, first.id, [{ role: "user", content: "back again" }]);

    const response = await api.get("/api/sessions", { as: user });
    expect(response.status).toBe(200);
    expect(ids(response.body.sessions)).toEqual([first.id, third.id, second.id]);
    expect(response.body.nextCursor).toBeNull();
    expect(response.body.sessions[0]).toMatchObject({ id: first.id, userId: user, messageCount: 1 });
    expect(response.body.sessions[1]).toEqual(third);
    // `recent` is the default list.
    expect((await api.get("/api/sessions?type=recent", { as: user })).body).toEqual(response.body);
  });

  it("pages with limit=2 and a cursor, returning every session exactly once in the same order", async () => {
    const user = newUser();
    for (let i = 0; i < 5; i++) await api.createSession(user, { metadata: { n: i } });
    const all = (await api.get("/api/sessions?limit=100", { as: user })).body.sessions as SessionBody[];
    expect(all).toHaveLength(5);

    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `limit=2&cursor=${encodeURIComponent(cursor)}` : "limit=2";
      const page = await api.get(`/api/sessions?${query}`, { as: user });
      expect(page.status).toBe(200);
      expect(page.body.sessions.length).toBeLessThanOrEqual(2);
      pages.push(ids(page.body.sessions));
      cursor = page.body.nextCursor;
      expect(pages.length).toBeLessThan(10);
    } while (cursor);

    expect(pages.slice(0, 2).map((page) => page.length)).toEqual([2, 2]);
    expect(pages.flat()).toEqual(ids(all));
    expect(new Set(pages.flat()).size).toBe(5);
  });

  it("shows an ended, unresolved session under `unresolved` and not under `active`", async () => {
    const user = newUser();
    const ongoing = await api.createSession(user);
    const ended = await api.createSession(user);
    expect((await api.post(`/api/sessions/${ended.id}/end`, { as: user })).status).toBe(200);

    const active = await api.get("/api/sessions?type=active", { as: user });
    const unresolved = await api.get("/api/sessions?type=unresolved", { as: user });
    expect(ids(active.body.sessions)).toEqual([ongoing.id]);
    expect(ids(unresolved.body.sessions)).toEqual([ended.id]);
    expect(unresolved.body.sessions[0]).toMatchObject({ status: "ended", isResolved: false });
  });

  it("keeps resolved sessions out of `active` and `unresolved` but lists them under `recent`", async () => {
    const user = newUser();
    const wasActive = await api.createSession(user);
    const wasEnded = await api.createSession(user);
    await api.post(`/api/sessions/${wasEnded.id}/end`, { as: user });
    await api.post(`/api/sessions/${wasActive.id}/resolve`, { as: user, json: {} });
    await api.post(`/api/sessions/${wasEnded.id}/resolve`, { as: user, json: {} });

    expect((await api.get("/api/sessions?type=active", { as: user })).body).toEqual({ sessions: [], nextCursor: null });
    expect((await api.get("/api/sessions?type=unresolved", { as: user })).body).toEqual({ sessions: [], nextCursor: null });
    const recent = await api.get("/api/sessions?type=recent", { as: user });
    expect(ids(recent.body.sessions)).toEqual([wasEnded.id, wasActive.id]);
    expect(recent.body.sessions.every((session: SessionBody) => session.isResolved)).toBe(true);
  });
});

describe("GET /api/sessions/{id}", () => {
  it("answers the session exactly as it was created", async () => {
    const user = newUser();
    const created = await api.createSession(user, { flow: "chat", metadata: { source: "test" } });
    const response = await api.get(`/api/sessions/${created.id}`, { as: user });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.body).toEqual(created);
  });

  it("answers 404 problem+json for a session id that does not exist", async () => {
    const response = await api.get("/api/sessions/ses_01HZZZZZZZZZZZZZZZZZZZZZZZ", { as: newUser() });
    expectProblem(response, 404, "session.not_found");
    expect(response.body.instance).toBe("/api/sessions/ses_01HZZZZZZZZZZZZZZZZZZZZZZZ");
  });
});

describe("DELETE /api/sessions/{id}", () => {
  it("answers 204 with no body, after which the session is 404 and gone from every list", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    const response = await api.delete(`/api/sessions/${session.id}`, { as: user });
    expect(response.status).toBe(204);
    expect(response.text).toBe("");
    expectStandardHeaders(response);

    expectProblem(await api.get(`/api/sessions/${session.id}`, { as: user }), 404, "session.not_found");
    expectProblem(await api.delete(`/api/sessions/${session.id}`, { as: user }), 404, "session.not_found");
    expect((await api.get("/api/sessions", { as: user })).body).toEqual({ sessions: [], nextCursor: null });
  });

  it("deletes the session's messages and feedback with it", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    const [, reply] = await appendMessages(user, session.id, conversation(4));
    expect((await api.post(`/api/sessions/${session.id}/messages/${reply!.id}/feedback`, { as: user, json: { rating: "up" } })).status).toBe(201);
    expect(await partitionItems(session.id)).toHaveLength(7); // session + the flow's current state + 4 messages + 1 feedback

    expect((await api.delete(`/api/sessions/${session.id}`, { as: user })).status).toBe(204);
    expect(await partitionItems(session.id)).toEqual([]);
    expectProblem(await api.get(`/api/sessions/${session.id}/messages`, { as: user }), 404, "session.not_found");
  });
});

describe("GET /api/sessions/{id}/messages", () => {
  it("answers the messages in sequence order", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    const stored = await appendMessages(user, session.id, conversation(5));
    const response = await api.get(`/api/sessions/${session.id}/messages`, { as: user });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.body).toEqual({ messages: stored, nextCursor: null });
    expect(response.body.messages.map((m: Conversation.Message) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(response.body.messages[0]).toEqual({
      id: `${session.id}.m1`,
      sessionId: session.id,
      seq: 1,
      role: "user",
      content: "message 1",
      status: "complete",
      createdAt: expect.stringMatching(ISO_TIMESTAMP),
    });
  });

  it("answers an empty page for a session without messages", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    expect((await api.get(`/api/sessions/${session.id}/messages`, { as: user })).body).toEqual({ messages: [], nextCursor: null });
  });

  it("pages with limit and cursor through every message exactly once", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    await appendMessages(user, session.id, conversation(5));
    const pages: number[][] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `limit=2&cursor=${encodeURIComponent(cursor)}` : "limit=2";
      const page = await api.get(`/api/sessions/${session.id}/messages?${query}`, { as: user });
      expect(page.status).toBe(200);
      pages.push(page.body.messages.map((m: Conversation.Message) => m.seq));
      cursor = page.body.nextCursor;
      expect(pages.length).toBeLessThan(10);
    } while (cursor);
    expect(pages).toEqual([[1, 2], [3, 4], [5]]);
  });

  it("answers only the messages after afterSeq", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    const stored = await appendMessages(user, session.id, conversation(5));
    const response = await api.get(`/api/sessions/${session.id}/messages?afterSeq=3`, { as: user });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ messages: stored.slice(3), nextCursor: null });
    const limited = await api.get(`/api/sessions/${session.id}/messages?afterSeq=1&limit=2`, { as: user });
    expect(limited.body.messages.map((m: Conversation.Message) => m.seq)).toEqual([2, 3]);
    expect(limited.body.nextCursor).toEqual(expect.any(String));
    const rest = await api.get(`/api/sessions/${session.id}/messages?cursor=${limited.body.nextCursor}`, { as: user });
    expect(rest.body.messages.map((m: Conversation.Message) => m.seq)).toEqual([4, 5]);
    expect((await api.get(`/api/sessions/${session.id}/messages?afterSeq=5`, { as: user })).body).toEqual({ messages: [], nextCursor: null });
  });

  it("rejects cursor and afterSeq together with 400", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    await appendMessages(user, session.id, conversation(3));
    const first = await api.get(`/api/sessions/${session.id}/messages?limit=1`, { as: user });
    const response = await api.get(`/api/sessions/${session.id}/messages?cursor=${first.body.nextCursor}&afterSeq=1`, { as: user });
    expectProblem(response, 400, "request.invalid");
    expect(response.body.issues).toEqual([{ path: "cursor", message: "use either cursor or afterSeq, not both" }]);
  });
});

describe("POST /api/sessions/{id}/end", () => {
  it("ends an active session and answers it; ending it again changes nothing", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    const response = await api.post(`/api/sessions/${session.id}/end`, { as: user });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.body).toEqual({
      ...session,
      status: "ended",
      endedAt: expect.stringMatching(ISO_TIMESTAMP),
      lastActivity: response.body.endedAt,
      version: 2,
    });
    const again = await api.post(`/api/sessions/${session.id}/end`, { as: user });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(response.body);
  });
});

describe("POST /api/sessions/{id}/resume", () => {
  it("reactivates an ended session and answers it with its history", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    const stored = await appendMessages(user, session.id, conversation(3));
    await api.post(`/api/sessions/${session.id}/end`, { as: user });

    const response = await api.post(`/api/sessions/${session.id}/resume`, { as: user });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.body).toEqual({
      session: expect.objectContaining({ id: session.id, status: "active", isResolved: false, messageCount: 3 }),
      messages: stored,
      nextCursor: null,
    });
    expect(response.body.session).not.toHaveProperty("endedAt");
    expect(ids((await api.get("/api/sessions?type=active", { as: user })).body.sessions)).toEqual([session.id]);
    expect((await api.get("/api/sessions?type=unresolved", { as: user })).body.sessions).toEqual([]);
  });

  it("answers an already active session unchanged", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    const response = await api.post(`/api/sessions/${session.id}/resume`, { as: user });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ session, messages: [], nextCursor: null });
  });

  it("refuses to resume a resolved session with 409", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    await api.post(`/api/sessions/${session.id}/resolve`, { as: user, json: {} });
    expectProblem(await api.post(`/api/sessions/${session.id}/resume`, { as: user }), 409, "session.resolved");
    expect((await api.get(`/api/sessions/${session.id}`, { as: user })).body).toMatchObject({ status: "ended", isResolved: true });
  });
});

describe("POST /api/sessions/{id}/resolve", () => {
  it("resolves (and so ends) the session, keeping the notes", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    const response = await api.post(`/api/sessions/${session.id}/resolve`, { as: user, json: { notes: "Objective agreed." } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.body).toEqual({
      ...session,
      status: "ended",
      isResolved: true,
      resolutionNotes: "Objective agreed.",
      resolvedAt: expect.stringMatching(ISO_TIMESTAMP),
      endedAt: expect.stringMatching(ISO_TIMESTAMP),
      lastActivity: expect.stringMatching(ISO_TIMESTAMP),
      version: 2,
    });
  });

  it("accepts no body at all; resolving again replaces the notes and keeps the first resolvedAt", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    const first = await api.post(`/api/sessions/${session.id}/resolve`, { as: user });
    expect(first.status).toBe(200);
    expect(first.body).not.toHaveProperty("resolutionNotes");
    const second = await api.post(`/api/sessions/${session.id}/resolve`, { as: user, json: { notes: "Later notes" } });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ resolutionNotes: "Later notes", resolvedAt: first.body.resolvedAt, endedAt: first.body.endedAt });
  });

  it("rejects notes longer than 4000 characters with 400", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    const response = await api.post(`/api/sessions/${session.id}/resolve`, { as: user, json: { notes: "n".repeat(4001) } });
    expectProblem(response, 400, "request.invalid_body");
    expect(response.body.issues).toEqual([{ path: "notes", message: expect.any(String) }]);
    expect((await api.get(`/api/sessions/${session.id}`, { as: user })).body).toEqual(session);
  });
});

describe("POST /api/sessions/{id}/messages/{messageId}/feedback", () => {
  it("records a rating with a comment on an assistant message and answers 201 with it", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    const [, reply] = await appendMessages(user, session.id, conversation(2));
    const response = await api.post(`/api/sessions/${session.id}/messages/${reply!.id}/feedback`, {
      as: user,
      json: { rating: "down", comment: "Too vague" },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.body).toEqual({
      sessionId: session.id,
      messageId: reply!.id,
      userId: user,
      rating: "down",
      comment: "Too vague",
      createdAt: expect.stringMatching(ISO_TIMESTAMP),
    });
  });

  it("rejects feedback on the user's own message with 400", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    const [mine] = await appendMessages(user, session.id, conversation(2));
    const response = await api.post(`/api/sessions/${session.id}/messages/${mine!.id}/feedback`, { as: user, json: { rating: "up" } });
    expectProblem(response, 400, "feedback.not_assistant_message");
  });

  it("answers 404 for a message id that does not exist in the session", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    await appendMessages(user, session.id, conversation(2));
    for (const messageId of [`${session.id}.m99`, "no-such-message", `ses_OTHER.m2`]) {
      expectProblem(await api.post(`/api/sessions/${session.id}/messages/${messageId}/feedback`, { as: user, json: { rating: "up" } }), 404, "message.not_found");
    }
  });

  it("rejects a rating other than up or down with 400", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    const [, reply] = await appendMessages(user, session.id, conversation(2));
    const response = await api.post(`/api/sessions/${session.id}/messages/${reply!.id}/feedback`, { as: user, json: { rating: "meh" } });
    expectProblem(response, 400, "request.invalid_body");
    expect(response.body.issues).toEqual([{ path: "rating", message: expect.any(String) }]);
  });
});

describe("GET /api/sessions/{id}/export", () => {
  async function ratedConversation() {
    const user = newUser();
    const session = await api.createSession(user);
    const stored = await appendMessages(user, session.id, [
      { role: "user", content: "I want to grow revenue" },
      { role: "assistant", content: "What does success look like by the end of the quarter?" },
    ]);
    await api.post(`/api/sessions/${session.id}/messages/${stored[1]!.id}/feedback`, { as: user, json: { rating: "up", comment: "Good question" } });
    return { user, session, stored };
  }

  it("exports JSON by default, as a download named after the session", async () => {
    const { user, session, stored } = await ratedConversation();
    const response = await api.get(`/api/sessions/${session.id}/export`, { as: user });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="session-${session.id}.json"`);
    expectStandardHeaders(response);
    expect(response.body).toEqual({
      session: expect.objectContaining({ id: session.id, userId: user, messageCount: 2 }),
      messages: stored,
      feedback: [expect.objectContaining({ messageId: stored[1]!.id, rating: "up", comment: "Good question", userId: user })],
      // Messages appended directly (no turn ran): the OKR flow is still at its start.
      okr: {
        phase: "discovery",
        draft: { objective: null, keyResults: [] },
        draftVersion: 0,
        scores: expect.objectContaining({ complete: false, passes: false }),
        transitions: [],
      },
      exportedAt: expect.stringMatching(ISO_TIMESTAMP),
    });
    expect((await api.get(`/api/sessions/${session.id}/export?format=json`, { as: user })).body.messages).toEqual(stored);
  });

  it("exports a Markdown transcript with format=markdown", async () => {
    const { user, session, stored } = await ratedConversation();
    const response = await api.get(`/api/sessions/${session.id}/export?format=markdown`, { as: user });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="session-${session.id}.md"`);
    expectStandardHeaders(response);
    const markdown = response.text;
    expect(markdown.startsWith(`# Session ${session.id}\n`)).toBe(true);
    expect(markdown).toContain("| Flow | okr |");
    expect(markdown).toContain("## Transcript");
    expect(markdown).toContain(`### You · #1 · ${stored[0]!.createdAt}\n\nI want to grow revenue`);
    expect(markdown).toContain(`### Coach · #2 · ${stored[1]!.createdAt}\n\nWhat does success look like by the end of the quarter?`);
    expect(markdown).toContain("> Feedback: 👍: Good question");
    expect(markdown.indexOf("I want to grow revenue")).toBeLessThan(markdown.indexOf("What does success look like"));
  });

  it("rejects an unknown format with 400", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    const response = await api.get(`/api/sessions/${session.id}/export?format=docx`, { as: user });
    expectProblem(response, 400, "request.invalid_query");
    expect(response.body.issues).toEqual([{ path: "format", message: expect.any(String) }]);
  });
});
