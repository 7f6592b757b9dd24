import * as z from "../zod";
import { ProviderError, type AiProvider, type ProviderEvent, type ProviderRequest } from "../ai/provider";
import { config } from "../config";
import { currentQuestion, templateOf, type QuestionnaireState } from "./state";
import { nextText, readLiterally } from "./literal";

/**
 * An external AI service that decides a questionnaire's next question, with
 * the classic contract: `POST {url}/v1/chat/next-question` with the
 * session, the template, the answers and the conversation, answered by the
 * next question's text or "complete".
 *
 * Answers are read literally here, as offline, and validated by the flow's
 * tools: the service words the questions, it never stores an answer. The
 * service is asked before any answer is stored, so a failure changes
 * nothing and the same message can simply be sent again: a 5xx, a timeout or
 * a dropped connection is a retryable failure of the turn; a 4xx is ours (a
 * request the service refused), logged with the turn and not retryable. The
 * session and the connection stay either way.
 */
const NextQuestionAnswer = z.discriminatedUnion("status", [
  z.object({ status: z.literal("in_progress"), nextQuestion: z.object({ text: z.string().check(z.trim(), z.minLength(1), z.maxLength(5000)) }) }),
  z.object({ status: z.literal("complete") }),
]);

export interface AiServiceSettings {
  url: string;
  apiKey: string;
  timeoutMs: number;
}

/** The service for a questionnaire session when AI_SERVICE_URL is set; undefined otherwise (Claude or offline answer). */
export function aiServiceFor(session: { id: string }, state: QuestionnaireState): AiProvider | undefined {
  const settings = config().aiService;
  return settings ? aiServiceProvider(settings, session.id, state) : undefined;
}

export function aiServiceProvider(settings: AiServiceSettings, sessionId: string, state: QuestionnaireState): AiProvider {
  return {
    name: "ai-service",
    async *stream(request: ProviderRequest): AsyncIterable<ProviderEvent> {
      const said = [...request.messages].reverse().find((m) => m.role === "user")?.content ?? "";
      const reading = readLiterally(state, said);
      const answer = await nextQuestion(settings, request.signal, {
        sessionId,
        templateId: templateOf(state).id,
        answers: reading.after.answers,
        history: request.messages,
      });
      for (const call of reading.toolCalls) {
        if (!request.runTool) break;
        await request.runTool({ id: `ai-service-${call.name}`, name: call.name, input: call.input });
      }
      // The flow decides what is left to ask; the service only words it. A service that thinks
      // it is done while a required question is open gets that question asked plainly.
      const next = currentQuestion(reading.after);
      const text = next && answer.status === "in_progress" ? `${reading.asked?.error ? `${reading.asked.error}. ` : ""}${answer.nextQuestion.text}` : nextText(reading.after, reading.asked);
      yield { type: "delta", text };
      yield { type: "done", usage: { inputTokens: 0, outputTokens: 0 } };
    },
  };
}

async function nextQuestion(
  settings: AiServiceSettings,
  signal: AbortSignal | undefined,
  body: { sessionId: string; templateId: string; answers: Record<string, unknown>; history: readonly { role: string; content: string }[] },
): Promise<z.infer<typeof NextQuestionAnswer>> {
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  let response: Response;
  try {
    response = await fetch(`${settings.url}/v1/chat/next-question`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${settings.apiKey}` },
      body: JSON.stringify(body),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (error) {
    const message = timeout.aborted ? `The AI service did not answer within ${settings.timeoutMs} ms` : "The AI service could not be reached";
    throw new ProviderError(message, true, { cause: error });
  }
  const text = await response.text().catch(() => "");
  if (response.status >= 500 || response.status === 429 || response.status === 408) {
    throw new ProviderError(`The AI service answered HTTP ${response.status}`, true);
  }
  if (!response.ok) {
    throw new ProviderError(`The AI service refused the request with HTTP ${response.status}: ${text.slice(0, 500)}`, false, { rejected: true });
  }
  const parsed = NextQuestionAnswer.safeParse(safeJson(text));
  if (!parsed.success) throw new ProviderError(`The AI service answered in an unexpected shape: ${text.slice(0, 500)}`, false, { rejected: true });
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
