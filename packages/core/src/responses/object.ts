import * as z from "../zod";
import type { TokenUsage } from "../conversation/message";

/**
 * The Responses API's objects as OpenAI's clients read them. The schemas
 * document the routes (OpenAPI); the builders make every answer, so a
 * created, a streamed and a retrieved response have one shape.
 */
export const OutputText = z.object({
  type: z.literal("output_text"),
  text: z.string(),
  annotations: z.array(z.unknown()),
  logprobs: z.array(z.unknown()),
});

export const OutputMessage = z.object({
  id: z.string(),
  type: z.literal("message"),
  role: z.literal("assistant"),
  status: z.enum(["in_progress", "completed", "incomplete"]),
  content: z.array(OutputText),
});
export type OutputMessage = z.infer<typeof OutputMessage>;

export const ResponseUsage = z.object({
  input_tokens: z.number().check(z.int()),
  input_tokens_details: z.object({ cached_tokens: z.number().check(z.int()) }),
  output_tokens: z.number().check(z.int()),
  output_tokens_details: z.object({ reasoning_tokens: z.number().check(z.int()) }),
  total_tokens: z.number().check(z.int()),
});

export const ResponseObject = z.object({
  id: z.string(),
  object: z.literal("response"),
  created_at: z.number().check(z.int()),
  status: z.enum(["in_progress", "completed", "incomplete", "failed"]),
  background: z.boolean(),
  error: z.nullable(z.object({ code: z.string(), message: z.string() })),
  incomplete_details: z.nullable(z.object({ reason: z.string() })),
  instructions: z.nullable(z.string()),
  max_output_tokens: z.nullable(z.number().check(z.int())),
  model: z.string(),
  output: z.array(OutputMessage),
  parallel_tool_calls: z.boolean(),
  previous_response_id: z.nullable(z.string()),
  reasoning: z.object({ effort: z.nullable(z.string()), summary: z.null() }),
  store: z.boolean(),
  temperature: z.nullable(z.number()),
  text: z.object({ format: z.object({ type: z.literal("text") }) }),
  tool_choice: z.literal("auto"),
  tools: z.array(z.never()),
  top_p: z.nullable(z.number()),
  truncation: z.literal("disabled"),
  usage: z.nullable(ResponseUsage),
  user: z.nullable(z.string()),
  metadata: z.record(z.string(), z.string()),
});
export type ResponseObject = z.infer<typeof ResponseObject>;

export const InputItem = z.object({
  id: z.string(),
  type: z.literal("message"),
  role: z.enum(["user", "assistant", "system"]),
  status: z.literal("completed"),
  content: z.array(z.object({ type: z.enum(["input_text", "output_text"]), text: z.string() })),
});
export type InputItem = z.infer<typeof InputItem>;

export const InputItemList = z.object({
  object: z.literal("list"),
  data: z.array(InputItem),
  first_id: z.nullable(z.string()),
  last_id: z.nullable(z.string()),
  has_more: z.boolean(),
});
export type InputItemList = z.infer<typeof InputItemList>;

export const DeletedResponse = z.object({ id: z.string(), object: z.literal("response"), deleted: z.literal(true) });
export type DeletedResponse = z.infer<typeof DeletedResponse>;

/** What a response says besides its output: the request's settings as it was made. */
export interface ResponseSettings {
  id: string;
  createdAt: number;
  model: string;
  store: boolean;
  instructions: string | null;
  metadata: Record<string, string>;
  temperature: number | null;
  topP: number | null;
  maxOutputTokens: number | null;
  effort: string | null;
  previousResponseId: string | null;
  user: string | null;
}

export const usageOf = (usage: TokenUsage): z.infer<typeof ResponseUsage> => ({
  input_tokens: usage.inputTokens,
  input_tokens_details: { cached_tokens: usage.cacheReadTokens ?? 0 },
  output_tokens: usage.outputTokens,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: usage.inputTokens + usage.outputTokens,
});

export const outputText = (text: string): z.infer<typeof OutputText> => ({ type: "output_text", text, annotations: [], logprobs: [] });

export const outputMessage = (id: string, status: OutputMessage["status"], text?: string): OutputMessage => ({
  id,
  type: "message",
  role: "assistant",
  status,
  content: text === undefined ? [] : [outputText(text)],
});

export function responseObject(
  settings: ResponseSettings,
  state: { status: ResponseObject["status"]; output?: OutputMessage; usage?: TokenUsage; error?: { code: string; message: string } },
): ResponseObject {
  return {
    id: settings.id,
    object: "response",
    created_at: settings.createdAt,
    status: state.status,
    background: false,
    error: state.error ?? null,
    incomplete_details: null,
    instructions: settings.instructions,
    max_output_tokens: settings.maxOutputTokens,
    model: settings.model,
    output: state.output ? [state.output] : [],
    parallel_tool_calls: false,
    previous_response_id: settings.previousResponseId,
    reasoning: { effort: settings.effort, summary: null },
    store: settings.store,
    temperature: settings.temperature,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: [],
    top_p: settings.topP,
    truncation: "disabled",
    usage: state.usage ? usageOf(state.usage) : null,
    user: settings.user,
    metadata: settings.metadata,
  };
}
