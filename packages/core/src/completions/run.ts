import type { AiProvider, GenerationSettings, ProviderMessage } from "../ai";
import type { TokenUsage } from "../conversation/message";
import { textOf, type ChatCompletionRequest } from "./request";
import type { ServedModel } from "./models";

export type CompletionEvent = { type: "delta"; text: string } | { type: "done"; finishReason: "stop"; usage: TokenUsage };

/**
 * Runs one chat completion on the provider and yields its text as it comes.
 * System and developer messages become the system prompt; stop sequences are
 * applied here (the text ends before the first one) so they work the same
 * with every provider.
 */
export async function* runCompletion(
  request: ChatCompletionRequest,
  model: ServedModel,
  provider: AiProvider,
  signal?: AbortSignal,
): AsyncGenerator<CompletionEvent> {
  const system = request.messages
    .filter((m) => m.role === "system" || m.role === "developer")
    .map((m) => textOf(m.content))
    .join("\n\n");
  const stops = request.stop === undefined || request.stop === null ? [] : typeof request.stop === "string" ? [request.stop] : request.stop;
  const stream = provider.stream({
    flow: "chat",
    phase: "chat",
    messages: conversation(request),
    system: { stable: system, dynamic: "" },
    generation: generationOf(request, model, stops),
    signal,
  });
  const guard = new StopGuard(stops);
  let usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
  let stopped = false;
  for await (const event of stream) {
    if (event.type === "done") {
      usage = event.usage;
      continue;
    }
    // After a stop sequence the rest is read but not sent: the provider's usage comes last and must be counted.
    // (Claude gets the stop sequences itself and ends there; only providers without them run on.)
    if (stopped) continue;
    const pushed = guard.push(event.text);
    if (pushed.text) yield { type: "delta", text: pushed.text };
    stopped = pushed.stopped;
  }
  const rest = stopped ? "" : guard.flush();
  if (rest) yield { type: "delta", text: rest };
  yield { type: "done", finishReason: "stop", usage };
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

function generationOf(request: ChatCompletionRequest, model: ServedModel, stops: string[]): GenerationSettings {
  const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  // OpenAI's temperature runs 0–2, Claude's 0–1; and Claude takes temperature or top_p, not both.
  const temperature = request.temperature ?? undefined;
  return {
    ...(model.providerModel ? { model: model.providerModel } : {}),
    ...(maxTokens ? { maxTokens } : {}),
    ...(temperature !== undefined ? { temperature: Math.min(temperature, 1) } : request.top_p != null ? { topP: request.top_p } : {}),
    ...(stops.length ? { stop: stops } : {}),
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
