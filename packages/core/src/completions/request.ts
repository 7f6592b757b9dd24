import * as z from "zod";

/**
 * A Chat Completions request as OpenAI documents it. Unknown fields are
 * ignored (clients send many); known ones are validated, and `param` in an
 * error names the field as OpenAI clients expect.
 */
const TextPart = z.object({ type: z.literal("text"), text: z.string() });
const Content = z.union([
  z.string(),
  z.array(z.union([TextPart, z.object({ type: z.string() }).loose()])).refine((parts) => parts.every((part) => part.type === "text"), {
    message: "only text content parts are supported",
  }),
]);

export const ChatMessage = z.object({
  role: z.enum(["system", "developer", "user", "assistant"]),
  content: Content,
  name: z.string().optional(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

export const ChatCompletionRequest = z
  .object({
    model: z.string().min(1).max(128),
    messages: z.array(ChatMessage).min(1).max(500),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    max_tokens: z.number().int().min(1).max(128_000).nullish(),
    max_completion_tokens: z.number().int().min(1).max(128_000).nullish(),
    stop: z.union([z.string().min(1), z.array(z.string().min(1)).max(4)]).nullish(),
    n: z.number().int().nullish().refine((n) => n === undefined || n === null || n === 1, { message: "only n=1 is supported" }),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullish(),
    /** OpenAI's reasoning effort; mapped to the model's effort (`none` and `minimal` are its lowest). */
    reasoning_effort: z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]).nullish(),
    user: z.string().max(256).optional(),
    /** Not OpenAI's: a conversation session of the caller to append the exchange to. */
    thread_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "not a session id").optional(),
  })
  .loose()
  .refine((request) => request.messages.some((m) => m.role === "user"), { message: "messages need at least one user message", path: ["messages"] });
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

export const textOf = (content: ChatMessage["content"]): string =>
  typeof content === "string" ? content : content.map((part) => ("text" in part && typeof part.text === "string" ? part.text : "")).join("");
