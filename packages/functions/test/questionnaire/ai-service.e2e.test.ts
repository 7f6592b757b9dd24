import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { newUser } from "../support/api";
import { RealtimeClient } from "../realtime/support/ws-client";
import { useRealtimeStack } from "../realtime/support/realtime-stack";
import { newTemplateId, putTemplate } from "./support";

/**
 * A questionnaire whose questions an external AI service words, with the
 * classic contract (`POST {AI_SERVICE_URL}/v1/chat/next-question`), against
 * a local fake of that service: its answers are scripted per request, and
 * what it received is read back.
 */
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: { sessionId: string; templateId: string; answers: Record<string, unknown>; history: { role: string; content: string }[] };
}
type Scripted = { status: number; body?: unknown } | { hang: true };

const received: Received[] = [];
const script: Scripted[] = [];
const hanging: (() => void)[] = [];
let service: Server;

// A slow answer is a failure after this long; everything else the fake answers at once.
const TIMEOUT_MS = 5_000;

beforeAll(async () => {
  service = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      const next = script.shift() ?? { status: 200, body: { status: "in_progress", nextQuestion: { text: "Service: next, please." } } };
      if ("hang" in next) {
        hanging.push(() => res.destroy());
        return;
      }
      res.writeHead(next.status, { "content-type": "application/json" }).end(JSON.stringify(next.body ?? { error: "scripted" }));
    });
  });
  await new Promise<void>((resolve) => service.listen(0, "127.0.0.1", resolve));
  // Read by the questionnaire's turn when it first runs, after the stack has started.
  process.env.AI_SERVICE_URL = `http://127.0.0.1:${(service.address() as AddressInfo).port}/`;
  process.env.AI_SERVICE_API_KEY = "service-key";
  process.env.AI_SERVICE_TIMEOUT_MS = String(TIMEOUT_MS);
});

afterEach(() => {
  script.length = 0;
  received.length = 0;
  for (const release of hanging.splice(0)) release();
});

afterAll(async () => {
  for (const release of hanging.splice(0)) release();
  service.closeAllConnections();
  await new Promise((resolve) => service.close(resolve));
});

const realtime = useRealtimeStack();

function putIncidentReport() {
  return putTemplate(realtime, {
    id: newTemplateId("svc"),
    title: "Incident report",
    description: "",
    questions: [
      { id: "what", text: "What happened?", kind: "text", required: true },
      { id: "when", text: "When did it happen?", kind: "date", required: true },
      { id: "who", text: "Who reported it?", kind: "email", required: true },
    ],
    document: { title: "Incident report", body: "# Incident\n\n{{what}} on {{when}}, reported by {{who}}.\n" },
  });
}

async function openQuestionnaire(user: string, templateId: string) {
  const client = await RealtimeClient.connectUrl(`${realtime.stack.wsUrl}/?token=${realtime.stack.issuer.token(user)}&templateId=${templateId}`, user);
  const first = await client.waitFor("next_question", () => true);
  return { client, sessionId: first.sessionId };
}

/** A classic answer frame, and what the server says to it: the reply, and the next question or an error. */
async function answer(client: RealtimeClient, content: string) {
  const from = client.mark();
  client.sendRaw(JSON.stringify({ type: "user_message", content }));
  const end = await client.waitForAny((event) => event.type === "message_complete" || event.type === "session_error", `the answer to "${content}"`, { from });
  const since = client.events.slice(from);
  return {
    end,
    asked: since.filter((event) => event.type === "next_question").at(-1),
    reply: end.type === "message_complete" ? end.message.content : undefined,
    complete: since.find((event) => event.type === "session_complete"),
  };
}

async function storedAnswers(user: string, sessionId: string) {
  const exported = await realtime.api.get(`/api/sessions/${sessionId}/export?format=json`, { as: user });
  expect(exported.status, exported.text).toBe(200);
  return exported.body.questionnaire.answers.filter((a: { answer: unknown }) => a.answer !== null).map((a: { id: string; answer: unknown }) => [a.id, a.answer]);
}

describe("a questionnaire with an external AI service", () => {
  it("sends the service the session, template, validated answers and history with its key, and says its question", async () => {
    const user = newUser();
    const templateId = await putIncidentReport();
    const { client, sessionId } = await openQuestionnaire(user, templateId);

    script.push({ status: 200, body: { status: "in_progress", nextQuestion: { text: "Thanks. On which day did the outage start?" } } });
    const first = await answer(client, "The database went down");
    expect(first.reply).toBe("Thanks. On which day did the outage start?");
    expect(first.asked).toMatchObject({ question: { id: "when", kind: "date" }, progress: { answered: 1, total: 3 } });
    expect(received).toHaveLength(1);
    expect(received[0]!.path).toBe("/v1/chat/next-question");
    expect(received[0]!.headers.authorization).toBe("Bearer service-key");
    expect(received[0]!.body).toEqual({
      sessionId,
      templateId,
      answers: { what: "The database went down" },
      history: [{ role: "user", content: "The database went down" }],
    });

    // An answer the flow refuses is not sent as an answer; the service still words what is asked, after why.
    script.push({ status: 200, body: { status: "in_progress", nextQuestion: { text: "Which day was it?" } } });
    const refused = await answer(client, "a while ago");
    expect(refused.asked).toMatchObject({ question: { id: "when" }, error: expect.stringContaining("not a date") });
    expect(refused.reply).toMatch(/not a date.*Which day was it\?$/);
    expect(received[1]!.body.answers).toEqual({ what: "The database went down" });

    // A service that says "complete" while a required question is open: the flow asks it plainly.
    script.push({ status: 200, body: { status: "complete" } });
    const early = await answer(client, "2026-11-30");
    expect(early.reply).toBe("Who reported it?");
    expect(early.asked).toMatchObject({ question: { id: "who" } });

    script.push({ status: 200, body: { status: "complete" } });
    const done = await answer(client, "ops@example.com");
    expect(done.complete).toMatchObject({ type: "session_complete", sessionId });
    expect(received.at(-1)!.body.answers).toEqual({ what: "The database went down", when: "2026-11-30", who: "ops@example.com" });
    const document = await realtime.api.get(`/api/documents/${(done.complete as { documentId: string }).documentId}`, { as: user });
    expect(document.body.markdown).toBe("# Incident\n\nThe database went down on 2026-11-30, reported by ops@example.com.\n");
    expect((await client.closed).code).toBeGreaterThanOrEqual(1000);
  });

  it("on a 5xx or a timeout tells the client to retry, stores no answer, and keeps the session and the connection", async () => {
    const user = newUser();
    const templateId = await putIncidentReport();
    const { client, sessionId } = await openQuestionnaire(user, templateId);

    script.push({ status: 503, body: { error: "overloaded" } });
    const failed = await answer(client, "The database went down");
    expect(failed.end).toMatchObject({ type: "session_error", code: "provider_error", retryable: true, sessionId });
    expect(await storedAnswers(user, sessionId)).toEqual([]);

    script.push({ hang: true });
    const slow = await answer(client, "The database went down");
    expect(slow.end).toMatchObject({ type: "session_error", code: "provider_error", retryable: true, sessionId });
    expect(await storedAnswers(user, sessionId)).toEqual([]);

    // Sent again once the service is back: taken, on the same connection and session.
    const retried = await answer(client, "The database went down");
    expect(retried.reply).toBe("Service: next, please.");
    expect(retried.asked).toMatchObject({ sessionId, question: { id: "when" } });
    expect(await storedAnswers(user, sessionId)).toEqual([["what", "The database went down"]]);
  });

  it("on a 4xx fails the turn for good (logged, not retryable) and leaves the connection open", async () => {
    const user = newUser();
    const templateId = await putIncidentReport();
    const { client, sessionId } = await openQuestionnaire(user, templateId);

    script.push({ status: 422, body: { error: "unknown template" } });
    const refused = await answer(client, "The database went down");
    expect(refused.end).toMatchObject({ type: "session_error", code: "provider_error", retryable: false, sessionId });
    expect(await storedAnswers(user, sessionId)).toEqual([]);

    // A malformed answer of the service is refused the same way.
    script.push({ status: 200, body: { status: "thinking" } });
    expect((await answer(client, "The database went down")).end).toMatchObject({ type: "session_error", retryable: false });

    const next = await answer(client, "The database went down");
    expect(next.asked).toMatchObject({ sessionId, question: { id: "when" } });
  });
});
