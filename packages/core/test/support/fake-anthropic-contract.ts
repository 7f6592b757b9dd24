import { knownCapabilities, type Effort, type ModelCapabilities } from "@coach/core/ai";
import type { SseEvent } from "./fake-anthropic";

/**
 * The model's contract, as the real Messages API holds a request to it: what
 * each row of the capability table refuses, answered with the API's own 400
 * bodies, and the thinking blocks that must come back unchanged with tool
 * results. Used by the fake Messages API (fake-anthropic.ts).
 */

export interface MessagesBody {
  model?: unknown;
  max_tokens?: unknown;
  messages?: { role: string; content: string | { type: string; [key: string]: unknown }[] }[];
  system?: unknown;
  tools?: unknown;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  thinking?: { type?: string; budget_tokens?: number };
  output_config?: { effort?: string };
  tool_choice?: { type?: string };
}

export type Violation = { status: number; type: string; message: string };

const invalid = (message: string): Violation => ({ status: 400, type: "invalid_request_error", message });

/** Whether `body` makes its model think: thinking asked for, or left out on a model that thinks by default. */
export function thinks(row: ModelCapabilities, body: MessagesBody): boolean {
  const type = body.thinking?.type;
  return type === undefined ? row.thinking.default === "adaptive" : type === "adaptive" || type === "enabled";
}

/** The API's answer to a request its model rejects; undefined when the model takes it. */
export function contractViolation(raw: unknown, issued: IssuedThinking): Violation | undefined {
  if (typeof raw !== "object" || raw === null) return invalid("The request body is not valid JSON.");
  const body = raw as MessagesBody;
  if (typeof body.model !== "string") return invalid("model: Field required");
  const row = knownCapabilities(body.model);
  if (!row) return { status: 404, type: "not_found_error", message: `model: ${body.model}` };
  const model = body.model;

  const maxTokens = body.max_tokens;
  if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens) || maxTokens < 1) return invalid("max_tokens: Field required");
  if (maxTokens > row.maxOutputTokens) {
    return invalid(`max_tokens: ${maxTokens} > ${row.maxOutputTokens}, which is the maximum allowed number of output tokens for ${model}`);
  }

  if (row.sampling === "none") {
    if (body.temperature !== undefined && body.temperature !== 1) return invalid("`temperature` is not supported on this model; only its default is accepted. Use `output_config.effort` to shape responses.");
    for (const name of ["top_p", "top_k"] as const) {
      if (body[name] !== undefined) return invalid(`\`${name}\` is not supported on this model. Use \`output_config.effort\` to shape responses.`);
    }
  } else if (body.temperature !== undefined && body.top_p !== undefined) {
    return invalid("`temperature` and `top_p` cannot both be specified for this model. Please use only one.");
  }

  const thinkingType = body.thinking?.type;
  if (thinkingType !== undefined) {
    if (!row.thinking.accepted.includes(thinkingType as never)) {
      const hint = row.thinking.accepted.includes("adaptive") ? ' Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.' : "";
      return invalid(`"thinking.type.${thinkingType}" is not supported for this model.${hint}`);
    }
    if (thinkingType === "enabled") {
      const budget = body.thinking?.budget_tokens;
      if (typeof budget !== "number" || budget < 1024) return invalid("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
      if (budget >= maxTokens) return invalid("`max_tokens` must be greater than `thinking.budget_tokens`.");
    }
  }

  const effort = body.output_config?.effort;
  if (effort !== undefined) {
    if (row.effort.length === 0) return invalid("output_config.effort: This model does not support the effort parameter.");
    if (!row.effort.includes(effort as Effort)) return invalid(`output_config.effort: Input should be ${row.effort.map((level) => `'${level}'`).join(", ")}`);
  }

  const forced = body.tool_choice?.type === "any" || body.tool_choice?.type === "tool";
  if (forced && !row.forcedToolChoice) return invalid("tool_choice: forcing tool use (`any` or `tool`) is not supported on this model; use `auto` or `none`.");
  if (forced && thinks(row, body)) return invalid("Thinking may not be enabled when tool_choice forces tool use.");

  const messages = Array.isArray(body.messages) ? body.messages : [];
  if (messages.length === 0) return invalid("messages: at least one message is required");
  const last = messages.at(-1)!;
  if (last.role === "assistant") {
    if (!row.prefill) return invalid("This model does not support assistant message prefill. The conversation must end with a user message.");
    if (typeof last.content === "string" && /\s$/.test(last.content)) return invalid("messages: final assistant content cannot end with trailing whitespace");
  }
  return issued.check(messages, thinks(row, body));
}

/**
 * The thinking blocks the fake has sent, by signature, and which tool calls
 * each came with: the API requires them back unchanged, first in the
 * assistant turn, when that turn's tool results are sent with thinking on.
 */
export class IssuedThinking {
  private readonly bySignature = new Map<string, string>();
  private readonly byToolUse = new Map<string, string>();

  record(sent: SseEvent[]): void {
    const thinking = new Map<number, { thinking: string; signature: string }>();
    const toolIds: string[] = [];
    for (const { data } of sent) {
      const event = data as { type?: string; index?: number; content_block?: { type: string; id?: string }; delta?: { type: string; thinking?: string; signature?: string } };
      if (event.type === "content_block_start" && event.content_block?.type === "thinking") thinking.set(event.index!, { thinking: "", signature: "" });
      if (event.type === "content_block_start" && event.content_block?.type === "tool_use") toolIds.push(event.content_block.id!);
      const block = event.index === undefined ? undefined : thinking.get(event.index);
      if (event.type === "content_block_delta" && block) {
        if (event.delta?.type === "thinking_delta") block.thinking += event.delta.thinking ?? "";
        if (event.delta?.type === "signature_delta") block.signature += event.delta.signature ?? "";
      }
    }
    const first = [...thinking.values()][0];
    for (const block of thinking.values()) if (block.signature) this.bySignature.set(block.signature, block.thinking);
    if (first?.signature) for (const id of toolIds) this.byToolUse.set(id, first.signature);
  }

  check(messages: NonNullable<MessagesBody["messages"]>, thinkingOn: boolean): Violation | undefined {
    for (const [i, message] of messages.entries()) {
      if (message.role !== "assistant" || typeof message.content === "string") continue;
      for (const [j, block] of message.content.entries()) {
        if (block.type !== "thinking") continue;
        const known = this.bySignature.get(String(block.signature));
        if (known === undefined || known !== block.thinking) return invalid(`messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`);
      }
      if (!thinkingOn || i !== lastAssistantWithTools(messages)) continue;
      const toolUse = message.content.find((block) => block.type === "tool_use");
      const signature = toolUse && this.byToolUse.get(String(toolUse.id));
      const head = message.content[0]!;
      if (signature && (head.type !== "thinking" || head.signature !== signature)) {
        return invalid(
          `messages.${i}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${head.type}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`.`,
        );
      }
    }
    return undefined;
  }
}

function lastAssistantWithTools(messages: NonNullable<MessagesBody["messages"]>): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    const content = messages[i]!.content;
    if (messages[i]!.role === "assistant" && typeof content !== "string" && content.some((block) => block.type === "tool_use")) return i;
  }
  return -1;
}

