import type { TokenUsage } from "../conversation/message";

/**
 * The AI provider port. A turn hands it the conversation so far and reads a
 * stream of events back; adapters (Claude, the offline coach) live beside it.
 */
export interface ProviderMessage {
  role: "user" | "assistant";
  content: string;
}

/** A structured-output tool the flow offers the model; its input is validated with `input` before use. */
export interface ProviderTool {
  name: string;
  description: string;
  /** JSON Schema of the tool input (from the zod schema that validates it). */
  inputSchema: Record<string, unknown>;
}

export interface ProviderRequest {
  flow: string;
  phase: string;
  messages: ProviderMessage[];
  /** The flow's system prompt: `stable` is the same for every turn of a phase (cacheable), `dynamic` carries the session's state. */
  system?: { stable: string; dynamic: string };
  tools?: ProviderTool[];
  /** Flow state the offline coach reasons over (e.g. the current OKR draft); Claude sees it through `system.dynamic`. */
  state?: unknown;
  /**
   * Runs one tool call: the turn validates `input` with the tool's zod schema,
   * applies it (e.g. stores a new OKR draft) and answers with what the model
   * should read back (the rubric's scores, or why the input was rejected).
   * Providers call it for every tool call, in order, before going on.
   */
  runTool?: (call: ToolCall) => Promise<ToolResult>;
  /** Per-request generation settings (the OpenAI-compatible API passes them through); unset means the provider's configuration. */
  generation?: GenerationSettings;
  signal?: AbortSignal;
}

export interface GenerationSettings {
  /** The provider's own model id. */
  model?: string;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
}

export interface ToolCall {
  id: string;
  name: string;
  input: unknown;
}

export interface ToolResult {
  content: string;
  isError?: boolean;
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
