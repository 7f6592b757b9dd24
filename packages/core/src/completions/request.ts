import * as z from "../zod";

/**
 * A Chat Completions request as OpenAI documents it. Unknown fields are
 * ignored (clients send many); known ones are validated, and `param` in an
 * error names the field as OpenAI clients expect.
 */
const TextPart = z.object({ type: z.literal("text"), text: z.string() });
const Content = z.union([
  z.string(),
  z.array(z.union([TextPart, z.looseObject({ type: z.string() })])).check(
    z.refine((parts) => parts.every((part) => part.type === "text"), {
      message: "only text content parts are supported",
    }),
  ),
]);

export const ChatMessage = z.object({
  role: z.enum(["system", "developer", "user", "assistant"]),
  content: Content,
  name: z.optional(z.string()),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

export const ChatCompletionRequest = z
  .looseObject({
    model: z.string().check(z.minLength(1), z.maxLength(128)),
    messages: z.array(ChatMessage).check(z.minLength(1), z.maxLength(500)),
    temperature: z.nullish(z.number().check(z.gte(0), z.lte(2))),
    top_p: z.nullish(z.number().check(z.gte(0), z.lte(1))),
    max_tokens: z.nullish(z.number().check(z.int(), z.gte(1), z.lte(128_000))),
    max_completion_tokens: z.nullish(z.number().check(z.int(), z.gte(1), z.lte(128_000))),
    stop: z.nullish(z.union([z.string().check(z.minLength(1)), z.array(z.string().check(z.minLength(1))).check(z.maxLength(4))])),
    n: z.nullish(z.number().check(z.int())).check(z.refine((n) => n === undefined || n === null || n === 1, { message: "only n=1 is supported" })),
    stream: z.nullish(z.boolean()),
    stream_options: z.nullish(z.looseObject({ include_usage: z.optional(z.boolean()) })),
    /** OpenAI's reasoning effort; mapped to the model's effort (`none` and `minimal` are its lowest). */
    reasoning_effort: z.nullish(z.enum(["none", "minimal", "low", "medium", "high", "xhigh"])),
    user: z.optional(z.string().check(z.maxLength(256))),
    /** Not OpenAI's: a conversation session of the caller to append the exchange to. */
    thread_id: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, "not a session id"))),
  })
  .check(z.refine((request) => request.messages.some((m) => m.role === "user"), { message: "messages need at least one user message", path: ["messages"] }));
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

export const textOf = (content: ChatMessage["content"]): string =>
  typeof content === "string" ? content : content.map((part) => ("text" in part && typeof part.text === "string" ? part.text : "")).join("");
