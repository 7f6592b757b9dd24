import { ProviderError, type AiProvider, type ProviderEvent, type ProviderRequest } from "./provider";

/**
 * The offline coach: deterministic, no network. It answers in the voice of a
 * coach and streams word by word, so relaying, coalescing and ordering are
 * exercised exactly as with a real model.
 */
export interface OfflineCoachOptions {
  /** Pause between deltas, to make turns take time (fault tests, demos). */
  delayMs?: number;
  /** Fail with a retryable error after this many deltas (fault tests). */
  failAfterDeltas?: number;
}

const openers: Record<string, string> = {
  discovery: "Let's find the outcome that matters most.",
  refinement: "Let's sharpen that objective.",
  kr_discovery: "Now let's make it measurable.",
  validation: "Let's check this set holds together.",
  complete: "Your OKRs are complete.",
};

export function offlineCoach(options: OfflineCoachOptions = {}): AiProvider {
  return {
    name: "offline-coach",
    async *stream(request: ProviderRequest): AsyncIterable<ProviderEvent> {
      const reply = replyTo(request);
      const words = reply.split(/(?<= )/);
      let sent = 0;
      for (const word of words) {
        if (options.failAfterDeltas !== undefined && sent >= options.failAfterDeltas) {
          throw new ProviderError("The offline coach was told to fail mid-stream", true);
        }
        if (request.signal?.aborted) return;
        if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
        yield { type: "delta", text: word };
        sent++;
      }
      const inputTokens = request.messages.reduce((sum, m) => sum + approximateTokens(m.content), 0);
      yield { type: "done", usage: { inputTokens, outputTokens: approximateTokens(reply) } };
    },
  };
}

function replyTo(request: ProviderRequest): string {
  const last = [...request.messages].reverse().find((m) => m.role === "user")?.content.trim() ?? "";
  const opener = openers[request.phase] ?? "Tell me more.";
  const echo = last.length > 120 ? `${last.slice(0, 117)}...` : last;
  return `${opener} You said: "${echo}". What would be different in three months if this went well, and how would you know?`;
}

/** About four characters a token, as the providers count English text. */
const approximateTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));
