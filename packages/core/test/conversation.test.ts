import { flows } from "@coach/core/flows";
import { createSession } from "./support/sessions";
import { randomUUID } from "node:crypto";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { withActor } from "@coach/core/actor";
import * as Conversation from "@coach/core/conversation";
import { VisibleError } from "@coach/core/error";
import { documentClient, tableName } from "@coach/core/table";

const newUser = () => `user-${randomUUID()}`;
const as = <T>(userId: string, fn: () => Promise<T>) => withActor({ type: "user", userId }, async () => fn());

async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VisibleError) return error.code;
    throw error;
  }
  throw new Error("expected a VisibleError");
}

async function partitionItems(sessionId: string) {
  const result = await documentClient.send(
    new QueryCommand({ TableName: tableName, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": `SESSION#${sessionId}` } }),
  );
  return result.Items ?? [];
}

describe("creating and reading sessions", () => {
  it("creates an active OKR session in its first phase by default", async () => {
    const user = newUser();
    const session = await as(user, () => createSession({}));
    expect(session).toMatchObject({ userId: user, flow: "okr", phase: "discovery", status: "active", isResolved: false, messageCount: 0, metadata: {} });
    expect(session.id).toMatch(/^ses_[0-9A-Z]{26}$/);
    expect(await as(user, () => Conversation.get(session.id))).toEqual(session);
  });

  it("keeps the caller's metadata and rejects oversized metadata", async () => {
    const user = newUser();
    const session = await as(user, () => createSession({ flow: "chat", metadata: { team: "growth" } }));
    expect(session).toMatchObject({ flow: "chat", phase: "chat", metadata: { team: "growth" } });
    const huge = { blob: "x".repeat(9000) };
    expect(await errorCode(as(user, () => createSession({ metadata: huge })))).toBe("request.invalid");
  });

  it("answers 'not found' for someone else's session, exactly as for a missing one", async () => {
    const owner = newUser();
    const session = await as(owner, () => createSession({}));
    const stranger = newUser();
    expect(await errorCode(as(stranger, () => Conversation.get(session.id)))).toBe("session.not_found");
    expect(await errorCode(as(stranger, () => Conversation.get("ses_DOESNOTEXIST")))).toBe("session.not_found");
    for (const attempt of <(() => Promise<unknown>)[]>[
      () => Conversation.history({ sessionId: session.id }),
      () => Conversation.appendMessage({ sessionId: session.id, role: "user", content: "hi" }),
      () => Conversation.resume({ sessionId: session.id }),
      () => Conversation.resolve({ sessionId: session.id }),
      () => Conversation.end(session.id),
      () => Conversation.remove(session.id),
      () => Conversation.exportSession({ sessionId: session.id }, flows),
    ]) {
      expect(await errorCode(as(stranger, attempt))).toBe("session.not_found");
    }
    expect((await as(owner, () => Conversation.get(session.id))).status).toBe("active");
  });

  it("refuses to run without a user actor", async () => {
    await expect(withActor({ type: "system" }, () => createSession({}))).rejects.toThrow(VisibleError);
  });
});

describe("messages", () => {
  it("are one item each, numbered in order, and advance the session's counters in the same write", async () => {
    const user = newUser();
    const session = await as(user, () => createSession({}));
    const first = await as(user, () => Conversation.appendMessage({ sessionId: session.id, role: "user", content: "I want more customers" }));
    const second = await as(user, () => Conversation.appendMessage({ sessionId: session.id, role: "assistant", content: "Tell me more." }));
    expect([first.seq, second.seq]).toEqual([1, 2]);
    expect(second.id).toBe(`${session.id}.m2`);
    const after = await as(user, () => Conversation.get(session.id));
    expect(after.messageCount).toBe(2);
    expect(after.lastActivity).toBe(second.createdAt);
    const types = (await partitionItems(session.id)).map((item) => item.type).sort();
    // The flow's current state is written with the session, so a turn reads it with the history.
    expect(types).toEqual(["flow_state", "message", "message", "session"]);
  });

  it("get distinct sequence numbers when appended concurrently", async () => {
    const user = newUser();
    const session = await as(user, () => createSession({}));
    const appended = await Promise.all(
      Array.from({ length: 8 }, (_, i) => as(user, () => Conversation.appendMessage({ sessionId: session.id, role: "user", content: `message ${i}` }))),
    );
    expect(appended.map((m) => m.seq).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await as(user, () => Conversation.get(session.id))).messageCount).toBe(8);
  });

  it("page in order with a cursor, and resume after a sequence number", async () => {
    const user = newUser();
    const session = await as(user, () => createSession({}));
    for (let i = 1; i <= 5; i++) {
      await as(user, () => Conversation.appendMessage({ sessionId: session.id, role: i % 2 ? "user" : "assistant", content: `m${i}` }));
    }
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await as(user, () => Conversation.history({ sessionId: session.id, limit: 2, cursor }));
      seen.push(...page.messages.map((m) => m.seq));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    const after = await as(user, () => Conversation.history({ sessionId: session.id, afterSeq: 3 }));
    expect(after.messages.map((m) => m.content)).toEqual(["m4", "m5"]);
    expect((await as(user, () => Conversation.history({ sessionId: session.id, afterSeq: 5 }))).messages).toEqual([]);
  });

  it("refuse a cursor from another session and a cursor together with afterSeq", async () => {
    const user = newUser();
    const [a, b] = await Promise.all([as(user, () => createSession({})), as(user, () => createSession({}))]);
    for (const s of [a, b]) {
      for (let i = 0; i < 3; i++) await as(user, () => Conversation.appendMessage({ sessionId: s.id, role: "user", content: "x" }));
    }
    const page = await as(user, () => Conversation.history({ sessionId: a.id, limit: 1 }));
    expect(page.nextCursor).toBeDefined();
    expect(await errorCode(as(user, () => Conversation.history({ sessionId: b.id, cursor: page.nextCursor })))).toBe("cursor.invalid");
    expect(await errorCode(as(user, () => Conversation.history({ sessionId: a.id, cursor: page.nextCursor, afterSeq: 1 })))).toBe("request.invalid");
  });

  it("cannot be added to an ended session until it is resumed", async () => {
    const user = newUser();
    const session = await as(user, () => createSession({}));
    await as(user, () => Conversation.end(session.id));
    expect(await errorCode(as(user, () => Conversation.appendMessage({ sessionId: session.id, role: "user", content: "hello?" })))).toBe(
      "session.not_active",
    );
  });

  it("reject empty and oversized content", async () => {
    const user = newUser();
    const session = await as(user, () => createSession({}));
    expect(await errorCode(as(user, () => Conversation.appendMessage({ sessionId: session.id, role: "user", content: "" })))).toBe("request.invalid");
    const tooLong = "x".repeat(Conversation.MAX_CONTENT_LENGTH + 1);
    expect(await errorCode(as(user, () => Conversation.appendMessage({ sessionId: session.id, role: "user", content: tooLong })))).toBe(
      "request.invalid",
    );
  });
});

describe("a user's session lists", () => {
  async function makeSessions(user: string) {
    const active = await as(user, () => createSession({ metadata: { name: "active" } }));
    const ended = await as(user, () => createSession({ metadata: { name: "ended" } }));
    await as(user, () => Conversation.end(ended.id));
    const resolved = await as(user, () => createSession({ metadata: { name: "resolved" } }));
    await as(user, () => Conversation.resolve({ sessionId: resolved.id, notes: "done" }));
    // Touch the first one last so it is the most recent.
    await as(user, () => Conversation.appendMessage({ sessionId: active.id, role: "user", content: "still here" }));
    return { active, ended, resolved };
  }
  const ids = (page: Conversation.Page<Conversation.Info>) => page.items.map((s) => s.id);

  it("separate active from unresolved, and show everything newest first under recent", async () => {
    const user = newUser();
    const { active, ended, resolved } = await makeSessions(user);
    expect(ids(await as(user, () => Conversation.list({ type: "active" })))).toEqual([active.id]);
    expect(ids(await as(user, () => Conversation.list({ type: "unresolved" })))).toEqual([ended.id]);
    expect(ids(await as(user, () => Conversation.list({ type: "recent" })))).toEqual([active.id, resolved.id, ended.id]);
  });

  it("never include another user's sessions", async () => {
    const [alice, bob] = [newUser(), newUser()];
    await makeSessions(alice);
    const bobs = await as(bob, () => createSession({}));
    expect(ids(await as(bob, () => Conversation.list({ type: "recent" })))).toEqual([bobs.id]);
  });

  it("page through every session exactly once, and bind the cursor to its list and user", async () => {
    const user = newUser();
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await as(user, () => createSession({}))).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    let firstCursor: string | undefined;
    do {
      const page = await as(user, () => Conversation.list({ type: "active", limit: 2, cursor }));
      seen.push(...ids(page));
      cursor = page.nextCursor;
      firstCursor ??= cursor;
    } while (cursor);
    expect(seen).toEqual([...created].reverse());
    expect(await errorCode(as(newUser(), () => Conversation.list({ type: "active", cursor: firstCursor })))).toBe("cursor.invalid");
    expect(await errorCode(as(user, () => Conversation.list({ type: "unresolved", cursor: firstCursor })))).toBe("cursor.invalid");
  });
});

describe("ending, resolving and resuming", () => {
  it("resume reactivates an unresolved session and returns it with its history", async () => {
    const user = newUser();
    const session = await as(user, () => createSession({}));
    await as(user, () => Conversation.appendMessage({ sessionId: session.id, role: "user", content: "first" }));
    const ended = await as(user, () => Conversation.end(session.id));
    expect(ended).toMatchObject({ status: "ended", isResolved: false });
    expect(ended.endedAt).toBeDefined();
    const resumed = await as(user, () => Conversation.resume({ sessionId: session.id }));
    expect(resumed.session).toMatchObject({ status: "active", isResolved: false });
    expect(resumed.session.endedAt).toBeUndefined();
    expect(resumed.history.messages.map((m) => m.content)).toEqual(["first"]);
    expect((await as(user, () => Conversation.get(session.id))).endedAt).toBeUndefined();
  });

  it("resuming an active session changes nothing", async () => {
    const user = newUser();
    const session = await as(user, () => createSession({}));
    const resumed = await as(user, () => Conversation.resume({ sessionId: session.id }));
    expect(resumed.session).toEqual(session);
  });

  it("resolve ends the session with notes, and a resolved session cannot be resumed", async () => {
    const user = newUser();
    const session = await as(user, () => createSession({}));
    const resolved = await as(user, () => Conversation.resolve({ sessionId: session.id, notes: "Objective agreed" }));
    expect(resolved).toMatchObject({ status: "ended", isResolved: true, resolutionNotes: "Objective agreed" });
    expect(await errorCode(as(user, () => Conversation.resume({ sessionId: session.id })))).toBe("session.resolved");
    const again = await as(user, () => Conversation.resolve({ sessionId: session.id, notes: "Revised" }));
    expect(again).toMatchObject({ resolutionNotes: "Revised", resolvedAt: resolved.resolvedAt });
  });

  it("concurrent state changes all land, one version at a time", async () => {
    const user = newUser();
    const session = await as(user, () => createSession({}));
    await Promise.all([
      as(user, () => Conversation.appendMessage({ sessionId: session.id, role: "user", content: "a" })),
      as(user, () => Conversation.resolve({ sessionId: session.id, notes: "n" })),
    ]).catch(() => undefined);
    const final = await as(user, () => Conversation.get(session.id));
    expect(final.isResolved).toBe(true);
    expect(final.version).toBe(1 + 1 + final.messageCount);
  });
});

describe("deleting a session", () => {
  it("removes the session and every item in its partition", async () => {
    const user = newUser();
    const session = await as(user, () => createSession({}));
    for (let i = 0; i < 30; i++) {
      await as(user, () => Conversation.appendMessage({ sessionId: session.id, role: i % 2 ? "assistant" : "user", content: `m${i}` }));
    }
    await as(user, () => Conversation.giveFeedback({ sessionId: session.id, messageId: `${session.id}.m2`, rating: "up" }));
    // 30 messages, 1 feedback, the flow's current state, the session.
    expect((await partitionItems(session.id)).length).toBe(33);
    await as(user, () => Conversation.remove(session.id));
    expect(await partitionItems(session.id)).toEqual([]);
    expect(await errorCode(as(user, () => Conversation.get(session.id)))).toBe("session.not_found");
    expect((await as(user, () => Conversation.list({ type: "recent" }))).items).toEqual([]);
  });
});

describe("feedback", () => {
  it("records one rating per assistant message, replacing an earlier one", async () => {
    const user = newUser();
    const session = await as(user, () => createSession({}));
    await as(user, () => Conversation.appendMessage({ sessionId: session.id, role: "user", content: "q" }));
    const answer = await as(user, () => Conversation.appendMessage({ sessionId: session.id, role: "assistant", content: "a" }));
    await as(user, () => Conversation.giveFeedback({ sessionId: session.id, messageId: answer.id, rating: "down", comment: "vague" }));
    const replaced = await as(user, () => Conversation.giveFeedback({ sessionId: session.id, messageId: answer.id, rating: "up" }));
    expect(replaced).toMatchObject({ messageId: answer.id, rating: "up", userId: user });
    const exported = await as(user, () => Conversation.exportSession({ sessionId: session.id }, flows));
    expect(exported.feedback).toEqual([replaced]);
  });

  it("is refused on user messages and on messages that do not exist", async () => {
    const user = newUser();
    const session = await as(user, () => createSession({}));
    const question = await as(user, () => Conversation.appendMessage({ sessionId: session.id, role: "user", content: "q" }));
    expect(await errorCode(as(user, () => Conversation.giveFeedback({ sessionId: session.id, messageId: question.id, rating: "up" })))).toBe(
      "feedback.not_assistant_message",
    );
    for (const messageId of [`${session.id}.m9`, "nonsense", `ses_OTHER.m1`]) {
      expect(await errorCode(as(user, () => Conversation.giveFeedback({ sessionId: session.id, messageId, rating: "up" })))).toBe("message.not_found");
    }
  });
});

describe("exporting a session", () => {
  it("as JSON holds the session, every message in order and the feedback; as Markdown, a readable transcript", async () => {
    const user = newUser();
    const session = await as(user, () => createSession({ metadata: { team: "growth" } }));
    await as(user, () => Conversation.appendMessage({ sessionId: session.id, role: "user", content: "Grow revenue" }));
    const reply = await as(user, () => Conversation.appendMessage({ sessionId: session.id, role: "assistant", content: "By how much?" }));
    await as(user, () => Conversation.giveFeedback({ sessionId: session.id, messageId: reply.id, rating: "up", comment: "sharp" }));
    await as(user, () => Conversation.resolve({ sessionId: session.id, notes: "Agreed" }));
    const data = await as(user, () => Conversation.exportSession({ sessionId: session.id }, flows));
    expect(data.session).toMatchObject({ id: session.id, isResolved: true });
    expect(data.messages.map((m) => [m.seq, m.role, m.content])).toEqual([
      [1, "user", "Grow revenue"],
      [2, "assistant", "By how much?"],
    ]);
    const markdown = Conversation.toMarkdown(data, flows);
    expect(markdown).toContain(`# Session ${session.id}`);
    expect(markdown).toContain("## Resolution notes\n\nAgreed");
    expect(markdown.indexOf("Grow revenue")).toBeLessThan(markdown.indexOf("By how much?"));
    expect(markdown).toContain("### Coach · #2");
    expect(markdown).toContain("> Feedback: 👍: sharp");
  });
});
