import * as z from "../zod";

/**
 * A Responses API request as OpenAI documents it. Unknown fields are ignored
 * (clients send many: `include`, `truncation`, `parallel_tool_calls`, …);
 * known ones are validated, and what this server does not do yet (tools,
 * structured output, images and files, background runs, the Conversations
 * API, prompt templates) is a 400 naming the field, never silently dropped.
 */

/** One message of `input`, as the server takes it: text only, in order. */
export interface InputMessage {
  role: "user" | "assistant" | "system";
  text: string;
}

/** `{ type: "item_reference", id }`: an output item of an earlier stored response (the AI SDK sends these for its history). */
export interface InputReference {
  reference: string;
}

export type InputEntry = InputMessage | InputReference;

/** Where input checks report what is wrong (mini's transform gets the parse payload, with no `addIssue` of its own). */
interface IssueSink {
  addIssue(issue: { code: "custom"; message: string; path?: (string | number)[] }): void;
}

const issueSinkOf = (payload: z.core.ParsePayload): IssueSink => ({
  addIssue: (issue) => payload.issues.push({ ...issue, input: payload.value }),
});

const roleOf = { user: "user", assistant: "assistant", system: "system", developer: "system" } as const;
const TEXT_PARTS = new Set(["input_text", "output_text"]);

/** A message item's content: a string, or text parts (`input_text`, and `output_text` in an assistant message). */
function textOf(content: unknown, ctx: IssueSink, path: (string | number)[]): string | undefined {
  if (typeof content === "string") return content;
  if (!Array.isArray(content) || content.length === 0) {
    ctx.addIssue({ code: "custom", message: "content must be a string or a non-empty list of text parts", path });
    return undefined;
  }
  let text = "";
  for (const [index, part] of content.entries()) {
    const type = typeof part === "object" && part !== null ? (part as { type?: unknown }).type : undefined;
    const partText = typeof part === "object" && part !== null ? (part as { text?: unknown }).text : undefined;
    if (typeof type !== "string" || !TEXT_PARTS.has(type)) {
      ctx.addIssue({
        code: "custom",
        message: `only text content parts (input_text, output_text) are supported, not ${typeof type === "string" ? type : "this part"}`,
        path: [...path, index, "type"],
      });
      return undefined;
    }
    if (typeof partText !== "string") {
      ctx.addIssue({ code: "custom", message: "a text part needs its text", path: [...path, index, "text"] });
      return undefined;
    }
    text += partText;
  }
  return text;
}

/** One item of `input`: a message (`type` may be left out) or an item reference; anything else is a clear 400. */
function entryOf(item: unknown, ctx: IssueSink, index: number): InputEntry | undefined {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    ctx.addIssue({ code: "custom", message: "an input item must be an object", path: [index] });
    return undefined;
  }
  const { type, role, content, id } = item as Record<string, unknown>;
  if (type === "item_reference") {
    if (typeof id !== "string" || id.length === 0 || id.length > 128) {
      ctx.addIssue({ code: "custom", message: "an item_reference needs the id of an output item", path: [index, "id"] });
      return undefined;
    }
    return { reference: id };
  }
  if (type !== undefined && type !== "message") {
    ctx.addIssue({
      code: "custom",
      message: `only message items (and item_reference) are supported, not ${String(type)}: tools, reasoning items and files are not served yet`,
      path: [index, "type"],
    });
    return undefined;
  }
  if (typeof role !== "string" || !(role in roleOf)) {
    ctx.addIssue({ code: "custom", message: "role must be user, assistant, system or developer", path: [index, "role"] });
    return undefined;
  }
  const text = textOf(content, ctx, [index, "content"]);
  if (text === undefined) return undefined;
  if (text.length === 0) {
    ctx.addIssue({ code: "custom", message: "a message needs some text", path: [index, "content"] });
    return undefined;
  }
  return { role: roleOf[role as keyof typeof roleOf], text };
}

const Input = z.pipe(
  z.union([z.string().check(z.minLength(1, "input needs some text")), z.array(z.unknown()).check(z.minLength(1, "input needs at least one item"), z.maxLength(500))]),
  z.transform((input, payload) => {
    const ctx = issueSinkOf(payload);
    if (typeof input === "string") return [{ role: "user", text: input }] satisfies InputEntry[];
    const entries: InputEntry[] = [];
    for (const [index, item] of input.entries()) {
      const entry = entryOf(item, ctx, index);
      if (!entry) return z.NEVER;
      entries.push(entry);
    }
    if (!entries.some((entry) => "role" in entry && entry.role === "user")) {
      ctx.addIssue({ code: "custom", message: "input needs at least one user message" });
      return z.NEVER;
    }
    return entries;
  }),
);

/** A field this server does not serve yet: absent, null, or an empty/neutral value is fine; anything else is refused. */
const unsupported = (message: string, neutral: (value: unknown) => boolean = () => false) =>
  z.optional(z.unknown()).check(z.refine((value) => value === undefined || value === null || neutral(value), { message }));

const ReasoningEffort = z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]);

export const CreateResponse = z.looseObject({
  model: z.string().check(z.minLength(1), z.maxLength(128)),
  input: Input,
  /** The system prompt of this request only: not carried over by previous_response_id, as with OpenAI. */
  instructions: z.nullish(z.string().check(z.maxLength(64_000))),
  previous_response_id: z.nullish(z.string().check(z.minLength(1), z.maxLength(128))),
  max_output_tokens: z.nullish(z.number().check(z.int(), z.gte(1), z.lte(128_000))),
  temperature: z.nullish(z.number().check(z.gte(0), z.lte(2))),
  top_p: z.nullish(z.number().check(z.gte(0), z.lte(1))),
  stream: z.nullish(z.boolean()),
  /** Default: stored, when the caller is a user (an API key owns no sessions). */
  store: z.nullish(z.boolean()),
  metadata: z.nullish(
    z
      .record(z.string().check(z.maxLength(64)), z.string().check(z.maxLength(512)))
      .check(z.refine((metadata) => Object.keys(metadata).length <= 16, { message: "metadata holds at most 16 keys" })),
  ),
  user: z.nullish(z.string().check(z.maxLength(256))),
  reasoning: z.nullish(z.looseObject({ effort: z.nullish(ReasoningEffort) })),
  text: z.nullish(
    z.looseObject({
      format: z.optional(
        z
          .looseObject({ type: z.string() })
          .check(z.refine((format) => format.type === "text", { message: "only text output is supported (no json_schema or json_object yet)", path: ["type"] })),
      ),
    }),
  ),
  tools: unsupported("tools are not supported yet", (value) => Array.isArray(value) && value.length === 0),
  tool_choice: unsupported("only tool_choice none or auto is supported (there are no tools yet)", (value) => value === "none" || value === "auto"),
  background: unsupported("background responses are not supported", (value) => value === false),
  conversation: unsupported("the Conversations API is not supported: continue a conversation with previous_response_id"),
  prompt: unsupported("prompt templates are not supported: send instructions and input"),
});
export type CreateResponse = z.output<typeof CreateResponse>;

/** `GET /v1/responses/{id}/input_items`: OpenAI's list parameters. */
export const InputItemsQuery = z.looseObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
  order: z._default(z.enum(["asc", "desc"]), "desc"),
  after: z.optional(z.string().check(z.minLength(1), z.maxLength(160))),
});
export type InputItemsQuery = z.output<typeof InputItemsQuery>;
