import { describe, expect, it } from "vitest";
import type { ServerEventOf } from "@coach/core/realtime";
import { newUser } from "../support/api";
import { RealtimeClient, sendAndAwaitReply } from "../realtime/support/ws-client";
import { useRealtimeStack } from "../realtime/support/realtime-stack";
import { newTemplateId, putProjectBrief } from "./support";

/**
 * The questionnaire flow over the WebSocket, offline: a session created with
 * a template asks its questions one at a time (`next_question`), takes the
 * answers literally by their kind, re-asks an invalid one with why, skips an
 * optional one, goes back on request, and ends with its document stored
 * (`session_complete`).
 */
const realtime = useRealtimeStack();

const templateId = () => newTemplateId();
const putTemplate = (id: string) => putProjectBrief(realtime, id);

describe("a questionnaire over the WebSocket", () => {
  it("asks question by question, re-asks an invalid answer, skips, goes back, and completes with its document", async () => {
    const user = newUser();
    const id = templateId();
    await putTemplate(id);
    const session = await realtime.api.createSession(user, { flow: "questionnaire", templateId: id });
    expect(session).toMatchObject({ flow: "questionnaire", phase: "answering" });

    const client = await realtime.connect(user);
    const from = client.mark();
    await client.join(session.id);
    const first = await client.waitFor("next_question", (event) => event.sessionId === session.id, { from });
    expect(first).toMatchObject({ question: { id: "name", kind: "text", required: true }, progress: { answered: 0, total: 5 } });

    let n = 0;
    const answer = async (content: string): Promise<{ asked?: ServerEventOf<"next_question">; reply: string }> => {
      const { from: at, complete } = await sendAndAwaitReply(client, session.id, `a-${++n}`, content);
      const asked = client.events.slice(at).filter((event): event is ServerEventOf<"next_question"> => event.type === "next_question").at(-1);
      return { ...(asked ? { asked } : {}), reply: complete.message.content };
    };

    expect((await answer("Apollo")).asked).toMatchObject({ question: { id: "start", kind: "date" }, progress: { answered: 1, total: 5 } });
    const invalid = await answer("sometime soon");
    expect(invalid.asked).toMatchObject({ question: { id: "start" }, error: expect.stringContaining("not a date") });
    expect(invalid.reply).toContain("When does it start?");
    expect((await answer("3rd of May 2026")).asked).toMatchObject({ question: { id: "budget", required: false } });
    expect((await answer("skip")).asked).toMatchObject({ question: { id: "size", options: ["Small", "Medium", "Large"] }, progress: { answered: 3, total: 5 } });
    expect((await answer("large")).asked).toMatchObject({ question: { id: "contact", kind: "email" } });
    expect((await answer("go back to the start")).asked).toMatchObject({ question: { id: "start" } });
    expect((await answer("2026-06-01")).asked).toMatchObject({ question: { id: "contact" } });

    const at = client.mark();
    await answer("lead@example.com");
    const done = await client.waitFor("session_complete", (event) => event.sessionId === session.id, { from: at });
    await client.waitFor("phase_transition", (event) => event.sessionId === session.id && event.to === "complete", { from: at });

    const document = await realtime.api.get(`/api/documents/${done.documentId}`, { as: user });
    expect(document.status, document.text).toBe(200);
    expect(document.body).toMatchObject({ id: done.documentId, title: "Project brief", sessionId: session.id });
    expect(document.body.markdown).toBe("# Apollo\n\n- Starts: 2026-06-01\n- Budget: —\n- Team: Large\n- Contact: lead@example.com\n");

    // The session's state is complete: joining again asks nothing more.
    const again = await realtime.connect(user);
    const rejoined = again.mark();
    await again.join(session.id);
    await again.ping();
    expect(again.events.slice(rejoined).some((event) => event.type === "next_question")).toBe(false);
    // Another user sees neither the session nor the document.
    expect((await realtime.api.get(`/api/documents/${done.documentId}`, { as: newUser() })).status).toBe(404);
  });

  it("refuses a questionnaire without a template, a template for another flow, and an unknown template", async () => {
    const user = newUser();
    const missing = await realtime.api.post("/api/sessions", { as: user, json: { flow: "questionnaire" } });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain("templateId");
    expect((await realtime.api.post("/api/sessions", { as: user, json: { flow: "okr", templateId: "x" } })).status).toBe(400);
    expect((await realtime.api.post("/api/sessions", { as: user, json: { flow: "questionnaire", templateId: "no-such-template" } })).status).toBe(404);
  });

  it("a connection opened with ?templateId= starts the questionnaire, takes classic user_message frames, resumes it after a disconnect, and is closed when it is complete", async () => {
    const user = newUser();
    const id = templateId();
    await putTemplate(id);
    const open = () => RealtimeClient.connectUrl(`${realtime.stack.wsUrl}/?token=${realtime.stack.issuer.token(user)}&templateId=${id}`, user);
    const answer = async (client: RealtimeClient, content: string) => {
      const from = client.mark();
      client.sendRaw(JSON.stringify({ type: "user_message", content }));
      return client.waitForAny((event) => event.type === "next_question" || event.type === "session_complete", `the answer to "${content}"`, { from });
    };

    const first = await open();
    const asked = await first.waitFor("next_question", () => true);
    expect(asked).toMatchObject({ question: { id: "name" }, progress: { answered: 0, total: 5 } });
    expect(first.events.some((event) => event.type === "session_resumed")).toBe(false);
    const sessionId = asked.sessionId;
    expect(await answer(first, "Apollo")).toMatchObject({ type: "next_question", question: { id: "start" } });
    expect(await answer(first, "never")).toMatchObject({ type: "next_question", question: { id: "start" }, error: expect.stringContaining("not a date") });
    // Disconnect mid-way: the questionnaire waits.
    first.ws.close();
    await first.closed;

    const second = await open();
    const resumed = await second.waitFor("session_resumed", () => true);
    expect(resumed.sessionId).toBe(sessionId);
    expect(resumed.history.map((message) => [message.role, message.content])).toEqual([
      ["user", "Apollo"],
      ["assistant", "When does it start?"],
      ["user", "never"],
      ["assistant", expect.stringContaining("When does it start?")],
    ]);
    expect(await second.waitFor("next_question", () => true)).toMatchObject({ sessionId, question: { id: "start" }, progress: { answered: 1, total: 5 } });
    for (const content of ["2026-05-03", "skip", "Small"]) expect(await answer(second, content)).toMatchObject({ type: "next_question" });
    const complete = await answer(second, "lead@example.com");
    expect(complete).toMatchObject({ type: "session_complete", sessionId });
    // Closed by the server once the questionnaire is done.
    expect((await second.closed).code).toBeGreaterThanOrEqual(1000);

    // A new connection for the template starts a new questionnaire: the finished one is not resumed.
    const third = await open();
    const fresh = await third.waitFor("next_question", () => true);
    expect(fresh.sessionId).not.toBe(sessionId);
    expect(fresh.progress).toEqual({ answered: 0, total: 5 });
  });

  it("refuses user_message frames on a connection not opened for a questionnaire, and an unknown template", async () => {
    const user = newUser();
    const plain = await realtime.connect(user);
    const from = plain.mark();
    plain.sendRaw(JSON.stringify({ type: "user_message", content: "hello" }));
    expect(await plain.waitFor("session_error", () => true, { from })).toMatchObject({ code: "invalid_frame", message: expect.stringContaining("templateId") });

    const unknown = await RealtimeClient.connectUrl(`${realtime.stack.wsUrl}/?token=${realtime.stack.issuer.token(user)}&templateId=no-such-template`, user);
    expect(await unknown.waitFor("session_error", () => true)).toMatchObject({ code: "not_found" });
    await unknown.closed;
    await expect(RealtimeClient.connectUrl(`${realtime.stack.wsUrl}/?token=${realtime.stack.issuer.token(user)}&templateId=Not%20Valid!`, user)).rejects.toThrow();
  });

  it("is last_wins: a newer connection of the user to the questionnaire replaces the older one, which is told and closed", async () => {
    const user = newUser();
    const id = templateId();
    await putTemplate(id);
    const open = () => RealtimeClient.connectUrl(`${realtime.stack.wsUrl}/?token=${realtime.stack.issuer.token(user)}&templateId=${id}`, user);

    const older = await open();
    const { sessionId } = await older.waitFor("next_question", () => true);
    const newer = await open();
    expect(await newer.waitFor("session_resumed", () => true)).toMatchObject({ sessionId });
    expect(await older.waitFor("session_error", () => true)).toMatchObject({ code: "replaced", retryable: false, sessionId });
    expect((await older.closed).code).toBeGreaterThanOrEqual(1000);

    // The same through join_session: the tab that joins last keeps the session.
    const tab = await realtime.connect(user);
    await tab.join(sessionId);
    expect(await newer.waitFor("session_error", (event) => event.code === "replaced")).toMatchObject({ sessionId });
    await newer.closed;
    const asked = await tab.waitFor("next_question", () => true);
    expect(asked).toMatchObject({ sessionId, question: { id: "name" } });
    // An OKR session keeps every connection (multi_device).
    const okr = await realtime.api.createSession(user);
    const [a, b] = [await realtime.connect(user), await realtime.connect(user)];
    await a.join(okr.id);
    await b.join(okr.id);
    await a.ping();
    expect(a.events.some((event) => event.type === "session_error")).toBe(false);
  });
});
