import type { TokenUsage } from "../conversation/message";
import type { Responder } from "./stand-in";

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
  messages: ProviderMessage[];
  /** The system prompt: `stable` is the same for every turn of a phase (cacheable), `dynamic` carries the session's state. */
  system?: { stable: string; dynamic: string };
  tools?: ProviderTool[];
  /** The flow's deterministic stand-in for the model, bound to the session's state: used by the offline provider only. */
  standIn?: Responder;
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

/** How much the model should put into a reply (thinking included): Claude's `output_config.effort` levels, lowest first. */
export const EFFORT_LEVELS = ["low", "medium", "high", "xhigh", "max"] as const;
export type Effort = (typeof EFFORT_LEVELS)[number];

export interface GenerationSettings {
  /** The provider's own model id. */
  model?: string;
  /** The reply's budget; a model that thinks gets room for its thinking on top. */
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  effort?: Effort;
}

/**
 * What the model behind a provider takes besides the conversation, so a
 * caller can leave out (and say it left out) what the model would reject.
 */
export interface ModelContract {
  /** `none`: no sampling parameter; `one`: temperature or top_p, not both. */
  sampling: "none" | "one";
  /** Whether a conversation may end with an assistant message for the model to continue. */
  prefill: boolean;
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

/** `thinking`: the model has started to think (nothing of it is shown); text follows in deltas. */
export type ProviderEvent = { type: "thinking" } | { type: "delta"; text: string } | { type: "done"; usage: TokenUsage };

export interface AiProvider {
  readonly name: string;
  stream(request: ProviderRequest): AsyncIterable<ProviderEvent>;
  /** The contract of `model` (the provider's own id; unset: its configured one). Absent: one sampling parameter and prefill are taken. */
  contract?(model?: string): ModelContract;
}

/**
 * A provider failure; `retryable` says whether the same request may succeed
 * later (429, 529, timeouts). `requestId` is the provider's id of the failed
 * request, for its support; `rejected` marks a request the provider refused
 * as malformed, which is a bug of ours, never the user's.
 */
export class ProviderError extends Error {
  override readonly name = "ProviderError";
  readonly requestId?: string;
  readonly rejected: boolean;
  /** What the request used before it failed or was aborted, as far as the provider knows (a stopped reply is billed too). */
  readonly usage?: TokenUsage;
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown; requestId?: string; rejected?: boolean; usage?: TokenUsage },
  ) {
    super(message, options);
    if (options?.requestId) this.requestId = options.requestId;
    if (options?.usage) this.usage = options.usage;
    this.rejected = options?.rejected ?? false;
  }
}
