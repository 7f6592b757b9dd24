import { ProviderError, type AiProvider, type Effort, type GenerationSettings, type ModelContract, type ProviderEvent, type ProviderMessage } from "../ai";
import type { TokenUsage } from "../conversation/message";
import { VisibleError } from "../error";
import { textOf, type ChatCompletionRequest } from "./request";
import type { ServedModel } from "./models";

/** `thinking`: the model is thinking; nothing is shown of it. */
export type CompletionEvent = { type: "thinking" } | { type: "delta"; text: string } | { type: "done"; finishReason: "stop"; usage: TokenUsage };

export interface CompletionPlan {
  /** Request fields not sent because the model rejects them, in request order (the `x-coach-ignored-params` header). */
  ignored: string[];
  /**
   * Runs the completion; provider failures come out as VisibleErrors (`upstream` or `unavailable`).
   * Once `signal` aborts, the provider is told (it stops generating) and the events end without
   * `done`, whatever the provider does on abort (the offline coach ends quietly, Claude throws):
   * a reply cut short never looks finished.
   */
  events(signal?: AbortSignal): AsyncGenerator<CompletionEvent>;
}

/** What a provider without a contract (the offline coach) is held to. */
const OPEN_CONTRACT: ModelContract = { sampling: "one", prefill: true };

/**
 * Maps a chat completion onto the provider, before anything is sent: what
 * the model rejects is left out (sampling parameters) or refused here with a
 * 400 (a conversation ending with an assistant message, for a model without
 * prefill), so the provider never answers our request with an error.
 * `param` names the conversation's field in that 400 (the Responses API's is `input`).
 */
export function planCompletion(request: ChatCompletionRequest, model: ServedModel, provider: AiProvider, options: { param?: string } = {}): CompletionPlan {
  const contract: ModelContract = provider.contract?.(model.providerModel) ?? OPEN_CONTRACT;
  const messages = conversation(request);
  if (messages.at(-1)?.role === "assistant" && !contract.prefill) {
    throw new VisibleError(
      "invalid",
      "messages.prefill_unsupported",
      `The model behind \`${model.id}\` does not continue an assistant message: the last of the messages must be a user message.`,
      { param: options.param ?? "messages" },
    );
  }
  const stops = request.stop === undefined || request.stop === null ? [] : typeof request.stop === "string" ? [request.stop] : request.stop;
  const { generation, ignored } = generationOf(request, model, stops, contract);
  const system = request.messages
    .filter((m) => m.role === "system" || m.role === "developer")
    .map((m) => textOf(m.content))
    .join("\n\n");
  return {
    ignored,
    events: (signal) => run(provider.stream({ messages, system: { stable: system, dynamic: "" }, generation, signal }), stops, signal),
  };
}

/** Yields the text as it comes; stop sequences are applied here (the text ends before the first one) so they work the same with every provider. */
async function* run(stream: AsyncIterable<ProviderEvent>, stops: string[], signal: AbortSignal | undefined): AsyncGenerator<CompletionEvent> {
  const guard = new StopGuard(stops);
  let usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
  let stopped = false;
  try {
    for await (const event of stream) {
      // Leaving the loop also closes the provider's stream, for a provider that would not look at the signal itself.
      if (signal?.aborted) return;
      if (event.type === "done") {
        usage = event.usage;
        continue;
      }
      if (event.type === "thinking") {
        if (!stopped) yield event;
        continue;
      }
      // After a stop sequence the rest is read but not sent: the provider's usage comes last and must be counted.
      // (Claude gets the stop sequences itself and ends there; only providers without them run on.)
      if (stopped) continue;
      const pushed = guard.push(event.text);
      if (pushed.text) yield { type: "delta", text: pushed.text };
      stopped = pushed.stopped;
    }
  } catch (error) {
    // The caller stopped the reply: the provider's complaint about it is no failure.
    if (signal?.aborted) return;
    throw visibleProviderError(error);
  }
  if (signal?.aborted) return;
  const rest = stopped ? "" : guard.flush();
  if (rest) yield { type: "delta", text: rest };
  yield { type: "done", finishReason: "stop", usage };
}

/** A provider that cannot answer now is a 503 to retry; one that refused our request (a bug of ours, logged) is a 502 that retrying will not fix. */
function visibleProviderError(error: unknown): unknown {
  if (!(error instanceof ProviderError)) return error;
  if (error.retryable) {
    return new VisibleError("unavailable", "provider.unavailable", "The model provider is busy or unreachable; retry the request shortly.", { retryable: true }, { cause: error });
  }
  return new VisibleError(
    "upstream",
    "provider_error",
    "The model provider could not answer this request. The fault is ours, not your request's, and it has been logged; retrying will not help until it is fixed.",
    { retryable: false },
    { cause: error },
  );
}

/** User and assistant turns, consecutive ones of a role merged (Claude wants them alternating). */
function conversation(request: ChatCompletionRequest): ProviderMessage[] {
  const turns: ProviderMessage[] = [];
  for (const message of request.messages) {
    if (message.role !== "user" && message.role !== "assistant") continue;
    const content = textOf(message.content);
    const last = turns.at(-1);
    if (last?.role === message.role) last.content += `\n\n${content}`;
    else turns.push({ role: message.role, content });
  }
  return turns;
}

const effortOf: Record<NonNullable<ChatCompletionRequest["reasoning_effort"]>, Effort> = {
  none: "low",
  minimal: "low",
  low: "low",
  medium: "medium",
  high: "high",
  xhigh: "xhigh",
};

/**
 * OpenAI's settings in the provider's terms. OpenAI's temperature runs 0–2,
 * Claude's 0–1; a model that takes one sampling parameter gets temperature
 * (or else top_p); one that takes none gets neither, and the caller is told.
 */
function generationOf(
  request: ChatCompletionRequest,
  model: ServedModel,
  stops: string[],
  contract: ModelContract,
): { generation: GenerationSettings; ignored: string[] } {
  const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  const temperature = request.temperature ?? undefined;
  const topP = request.top_p ?? undefined;
  const ignored: string[] = [];
  let sampling: Pick<GenerationSettings, "temperature" | "topP"> = {};
  if (contract.sampling === "none") {
    if (temperature !== undefined) ignored.push("temperature");
    if (topP !== undefined) ignored.push("top_p");
  } else if (temperature !== undefined) {
    sampling = { temperature: Math.min(temperature, 1) };
    if (topP !== undefined) ignored.push("top_p");
  } else if (topP !== undefined) {
    sampling = { topP };
  }
  const effort = request.reasoning_effort ? effortOf[request.reasoning_effort] : undefined;
  return {
    generation: {
      ...(model.providerModel ? { model: model.providerModel } : {}),
      ...(maxTokens ? { maxTokens } : {}),
      ...sampling,
      ...(stops.length ? { stop: stops } : {}),
      ...(effort ? { effort } : {}),
    },
    ignored,
  };
}

/**
 * Holds back just enough text to never emit the start of a stop sequence
 * that the next delta would complete.
 */
class StopGuard {
  private pending = "";
  private readonly holdBack: number;

  constructor(private readonly stops: string[]) {
    this.holdBack = Math.max(0, ...stops.map((s) => s.length - 1));
  }

  push(text: string): { text: string; stopped: boolean } {
    this.pending += text;
    const hits = this.stops.map((stop) => this.pending.indexOf(stop)).filter((index) => index >= 0);
    if (hits.length > 0) {
      const out = this.pending.slice(0, Math.min(...hits));
      this.pending = "";
      return { text: out, stopped: true };
    }
    const cut = Math.max(0, this.pending.length - this.holdBack);
    const out = this.pending.slice(0, cut);
    this.pending = this.pending.slice(cut);
    return { text: out, stopped: false };
  }

  flush(): string {
    const out = this.pending;
    this.pending = "";
    return out;
  }
}
