import { acceptMessage, runTurn } from "../support/turn";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withActor } from "@coach/core/actor";
import { claudeProvider } from "@coach/core/ai";
import { getDocument } from "@coach/core/document";
import { loadFlowState } from "@coach/core/flow";
import { questionnaire, startSession } from "@coach/core/questionnaire";
import type { ServerEvent } from "@coach/core/realtime";
import { putTemplate } from "@coach/core/template";
import { startFakeAnthropic, textReply, toolUseReply, type FakeAnthropic } from "../support/fake-anthropic";

/**
 * The questionnaire with Claude (the fake Messages API speaking its wire
 * format): the model reads answers out of free text through record_answer,
 * whose validation decides what is stored, and writes the document with
 * write_document; a model that answers the last question without writing
 * it still leaves the session with its document, rendered from the template.
 */
let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const provider = () => claudeProvider({ apiKey: "sk-ant-test", model: "claude-sonnet-5-5", maxTokens: 2048, timeoutMs: 10_000, maxRetries: 0, baseURL: fake.url, maxRetryWaitMs: 1_000 });
const as = <T>(userId: string, fn: () => Promise<T>) => withActor({ type: "user", userId }, fn);

async function briefTemplate() {
  const id = `brief-${randomUUID().slice(0, 8)}`;
  return withActor({ type: "apiKey", keyId: "test", name: "test" }, () =>
    putTemplate({
      id,
      title: "Project brief",
      description: "",
      questions: [
        { id: "name", text: "What is the project called?", kind: "text", required: true },
        { id: "start", text: "When did it start?", kind: "date", required: true },
      ],
      document: { title: "Project brief", body: "# {{name}}\n\nStarted on {{start}}.\n" },
    }),
  );
}

const use = (id: string, name: string, input: unknown) => ({ id, name, jsonChunks: [JSON.stringify(input)] });

/** One user message and the turn that answers it, with Claude; the events the session's clients would get. */
async function say(user: string, sessionId: string, content: string) {
  const accepted = await as(user, () => acceptMessage({ sessionId, clientMessageId: randomUUID(), content }));
  const events: ServerEvent[] = [];
  const outcome = await as(user, () => runTurn(accepted.ticket!, { provider: provider(), sink: { send: async (event) => void events.push(event) }, requestId: "test" }));
  expect(outcome.kind).toBe("completed");
  return events;
}

/** The text of the tool results the model was sent back, in order. */
const toolResults = () =>
  fake.requests.flatMap((request) =>
    (request.body.messages as { content: unknown }[]).flatMap((message) => (Array.isArray(message.content) ? message.content.filter((part: { type: string }) => part.type === "tool_result") : [])),
  );
const resultText = (part: { content: unknown }) => (typeof part.content === "string" ? part.content : JSON.stringify(part.content));

describe("a questionnaire with Claude", () => {
  it("stores the answers Claude reads from free text only once validated, and stores the document Claude writes", async () => {
    const user = `user-${randomUUID()}`;
    const template = await briefTemplate();
    const session = await as(user, () => startSession({ templateId: template.id }));

    fake.enqueue(toolUseReply([use("t1", "record_answer", { questionId: "name", answer: "Apollo" })]), textReply(["Thanks. When did Apollo start?"]));
    const first = await say(user, session.id, "It's the Apollo project");
    expect(first).toContainEqual(expect.objectContaining({ type: "next_question", question: expect.objectContaining({ id: "start" }) }));

    // A date Claude did not turn into YYYY-MM-DD is refused and not stored; the one it did is.
    fake.enqueue(
      toolUseReply([use("t2", "record_answer", { questionId: "start", answer: "a while back" })]),
      toolUseReply([use("t3", "record_answer", { questionId: "start", answer: "2026-05-03" })]),
      toolUseReply([use("t4", "write_document", { title: "Apollo brief", markdown: "# Apollo\n\nApollo began on 3 May 2026, as its team planned.\n" })]),
      textReply(["Your brief is ready."]),
    );
    const second = await say(user, session.id, "we started on the 3rd of May");
    const results = toolResults().map(resultText);
    expect(results.find((text) => text.includes("Not stored"))).toMatch(/not a date/);
    // The model is shown the template's document once everything is answered.
    expect(results.find((text) => text.includes("write the document now with write_document"))).toContain("Started on {{start}}.");

    const complete = second.find((event): event is Extract<ServerEvent, { type: "session_complete" }> => event.type === "session_complete");
    expect(complete).toBeDefined();
    const document = await as(user, () => getDocument(user, complete!.documentId));
    expect(document).toMatchObject({ title: "Apollo brief", markdown: "# Apollo\n\nApollo began on 3 May 2026, as its team planned.\n", sessionId: session.id });
    const { state } = await loadFlowState(session.id, questionnaire);
    expect(state).toMatchObject({ answers: { name: "Apollo", start: "2026-05-03" }, complete: true });
  });

  it("refuses a document before every required question is answered", async () => {
    const user = `user-${randomUUID()}`;
    const template = await briefTemplate();
    const session = await as(user, () => startSession({ templateId: template.id }));
    fake.enqueue(toolUseReply([use("t1", "write_document", { markdown: "# Too early" })]), textReply(["What is the project called?"]));
    const events = await say(user, session.id, "just write it");
    expect(events.some((event) => event.type === "session_complete")).toBe(false);
    expect(toolResults().map(resultText).join("\n")).toMatch(/Not every required question is answered yet: ask name/);
    expect((await loadFlowState(session.id, questionnaire)).state).toMatchObject({ complete: false, answers: {} });
  });

  it("writes the document from the template when Claude answered the last question but did not write it", async () => {
    const user = `user-${randomUUID()}`;
    const template = await briefTemplate();
    const session = await as(user, () => startSession({ templateId: template.id }));
    fake.enqueue(toolUseReply([use("t1", "record_answer", { questionId: "name", answer: "Apollo" })]), textReply(["When did it start?"]));
    await say(user, session.id, "Apollo");
    fake.enqueue(toolUseReply([use("t2", "record_answer", { questionId: "start", answer: "2026-05-03" })]), textReply(["That's everything, thank you."]));
    const events = await say(user, session.id, "3 May 2026");
    const complete = events.find((event): event is Extract<ServerEvent, { type: "session_complete" }> => event.type === "session_complete");
    expect(complete).toBeDefined();
    // session_complete comes before the reply's message_complete, which closes the turn.
    expect(events.findIndex((event) => event.type === "session_complete")).toBeLessThan(events.findIndex((event) => event.type === "message_complete"));
    const document = await as(user, () => getDocument(user, complete!.documentId));
    expect(document.markdown).toBe("# Apollo\n\nStarted on 2026-05-03.\n");
  });
});
