import type { TokenUsage } from "../conversation/message";

/**
 * The AI provider port. A turn hands it the conversation so far and reads a
 * stream of events back; adapters (Claude, the offline coach) live beside it.
 */
export interface ProviderMessage {
  role: "user" | "assistant";
  content: string;
}

export interface ProviderRequest {
  flow: string;
  phase: string;
  messages: ProviderMessage[];
  signal?: AbortSignal;
}

export type ProviderEvent = { type: "delta"; text: string } | { type: "done"; usage: TokenUsage };

export interface AiProvider {
  readonly name: string;
  stream(request: ProviderRequest): AsyncIterable<ProviderEvent>;
}

/** A provider failure; `retryable` says whether the same request may succeed later (429, 529, timeouts). */
export class ProviderError extends Error {
  override readonly name = "ProviderError";
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
