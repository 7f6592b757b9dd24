import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testStackConfig } from "../../../test/env";
import { startLocalStack, type LocalStack } from "../../local/src/stack";
import { ApiError, ConversationClient, DocumentClient, RealtimeClient, TemplateClient, type RealtimeEvent, type RealtimeEventOf, type WebSocketConstructor } from "../src/index";
import { eventually } from "./support";

/**
 * ConversationClient against every conversation route of a real local stack (real fetch, real tokens);
 * TemplateClient and DocumentClient with a questionnaire answered over RealtimeClient.
 */
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

describe("TemplateClient and DocumentClient, with a questionnaire answered over RealtimeClient", () => {
  it("lists and gets a template, creates its session, gets next_question and session_complete, reads, downloads and deletes the document", async () => {
    const templateId = `client-brief-${randomUUID().slice(0, 8)}`;
    const put = await fetch(`${stack.httpUrl}/api/templates/${templateId}`, {
      method: "PUT",
      headers: { "x-api-key": stack.devApiKey, "content-type": "application/json" },
      body: JSON.stringify({
        title: "Client brief",
        description: "A brief, from the client test",
        questions: [
          { id: "name", text: "What is it called?", kind: "text", required: true },
          { id: "size", text: "How big?", kind: "choice", required: true, options: ["Small", "Large"] },
          { id: "budget", text: "Budget in euros?", kind: "number", required: false },
        ],
        document: { title: "Brief — Zoë", body: "# {{name}}\n\n- Size: {{size}}\n- Budget: {{budget}}\n" },
      }),
    });
    expect(put.status, await put.text()).toBeLessThan(300);

    const user = `client-${randomUUID()}`;
    const token = stack.issuer.token(user);
    const templates = new TemplateClient({ baseUrl: stack.httpUrl, token });
    const documents = new DocumentClient({ baseUrl: stack.httpUrl, token });
    const conversations = new ConversationClient({ baseUrl: stack.httpUrl, token });

    const listed: string[] = [];
    for await (const summary of templates.templates({ pageSize: 1 })) listed.push(summary.id);
    expect(listed).toContain(templateId);
    expect((await templates.listTemplates({ limit: 100 })).templates.find((t) => t.id === templateId)).toMatchObject({ title: "Client brief", questionCount: 3, version: 1 });
    const template = await templates.getTemplate(templateId);
    expect(template.questions.map((q) => q.id)).toEqual(["name", "size", "budget"]);
    expect(await templates.getTemplate(templateId, { version: 1 })).toEqual(template);
    expect(await apiError(templates.getTemplate("no-such-template"))).toMatchObject({ status: 404 });

    const session = await conversations.createSession({ flow: "questionnaire", templateId });
    expect(session).toMatchObject({ flow: "questionnaire", phase: "answering" });

    const realtime = new RealtimeClient({ url: stack.wsUrl, token, WebSocket: WebSocket as unknown as WebSocketConstructor });
    const events: RealtimeEvent[] = [];
    realtime.on("next_question", (event) => events.push(event));
    realtime.on("session_complete", (event) => events.push(event));
    const asked = () => events.filter((event): event is RealtimeEventOf<"next_question"> => event.type === "next_question");
    try {
      await realtime.join(session.id);
      await eventually("the first question, on join", () => asked().length, (n) => n === 1);
      expect(asked()[0]).toMatchObject({ sessionId: session.id, question: { id: "name", kind: "text", required: true }, progress: { answered: 0, total: 3 } });

      await realtime.send(session.id, "Apollo");
      expect(asked().at(-1)).toMatchObject({ question: { id: "size", options: ["Small", "Large"] }, progress: { answered: 1, total: 3 } });
      await realtime.send(session.id, "Huge");
      expect(asked().at(-1)).toMatchObject({ question: { id: "size" }, error: expect.stringContaining("Small") });
      await realtime.send(session.id, "Large");
      expect(asked().at(-1)).toMatchObject({ question: { id: "budget", required: false }, progress: { answered: 2, total: 3 } });
      await realtime.send(session.id, "skip");
      const complete = await eventually("session_complete", () => events.find((event) => event.type === "session_complete"), Boolean);
      expect(complete).toMatchObject({ sessionId: session.id, documentId: expect.any(String) });
      const { documentId } = complete as RealtimeEventOf<"session_complete">;

      const document = await documents.getDocument(documentId);
      expect(document).toMatchObject({ id: documentId, title: "Brief — Zoë", sessionId: session.id, templateId });
      expect(document.markdown).toContain("# Apollo");
      expect(document.markdown).toContain("- Size: Large");
      expect((await documents.listDocuments()).documents.map((d) => d.id)).toEqual([documentId]);
      expect((await documents.documentOfSession(session.id))?.id).toBe(documentId);
      expect(await documents.documentOfSession("no-such-session")).toBeUndefined();

      const markdown = await documents.downloadDocument(documentId, "markdown");
      expect(await markdown.blob.text()).toBe(document.markdown);
      expect(markdown.filename).toBe("Brief — Zoë.md");
      const pdf = await documents.downloadDocument(documentId, "pdf");
      expect(Buffer.from(await pdf.blob.arrayBuffer()).subarray(0, 5).toString("latin1")).toBe("%PDF-");
      expect(pdf.filename).toBe("Brief — Zoë.pdf");

      // Someone else's document is not found; deleted, it is gone.
      const stranger = new DocumentClient({ baseUrl: stack.httpUrl, token: stack.issuer.token(`client-${randomUUID()}`) });
      expect(await apiError(stranger.getDocument(documentId))).toMatchObject({ status: 404, code: "document.not_found" });
      expect(await apiError(stranger.downloadDocument(documentId, "pdf"))).toMatchObject({ status: 404, code: "document.not_found" });
      await documents.deleteDocument(documentId);
      expect(await apiError(documents.getDocument(documentId))).toMatchObject({ status: 404, code: "document.not_found" });
      expect((await documents.listDocuments()).documents).toEqual([]);
    } finally {
      await realtime.close();
    }
  });
});
