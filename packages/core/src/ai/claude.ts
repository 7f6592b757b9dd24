import Anthropic, { type Middleware } from "@anthropic-ai/sdk";
import type {
  ContentBlockParam,
  MessageCreateParamsStreaming,
  MessageParam,
  RawMessageStreamEvent,
  TextBlockParam,
  Tool,
  ToolResultBlockParam,
} from "@anthropic-ai/sdk/resources/messages";
import type { TokenUsage } from "../conversation/message";
import { CLAUDE_DEFAULTS, claudeConfig, type ClaudeConfig } from "./claude-config";
import { toProviderError } from "./claude-errors";
import { capabilitiesOf, effortFor, thinksByDefault } from "./claude-models";
import { ProviderError, type AiProvider, type Effort, type ProviderEvent, type ProviderRequest, type ToolCall, type ToolResult } from "./provider";

/**
 * The Claude adapter: the Messages API through `@anthropic-ai/sdk`, streamed.
 * Text deltas are relayed as they arrive; tool calls are run through
 * `request.runTool` and their results sent back in another streaming request,
 * for at most MAX_ROUNDS requests a turn. Usage is summed over the rounds.
 */

/** Requests per turn (the first answer plus tool-result follow-ups). The last one is sent with `tool_choice: none`, so it answers in text. */
export const MAX_ROUNDS = 4;

/** Put between the texts of two content blocks (e.g. before and after a tool call) when they would otherwise run together. */
const BLOCK_SEPARATOR = "\n";

export function claudeProvider(config: ClaudeConfig = claudeConfig()): AiProvider {
  let client: Anthropic | undefined;
  // One client per provider (select.ts keeps one provider per process), made on first use.
  const getClient = () =>
    (client ??= new Anthropic({
      apiKey: config.apiKey,
      baseURL: config.baseURL ?? null,
      timeout: config.timeoutMs,
      maxRetries: config.maxRetries,
      middleware: [capRetryAfter(config.maxRetryWaitMs)],
    }));
  return {
    name: "claude",
    stream: (request) => streamTurn(getClient(), config, request),
    contract: (model) => capabilitiesOf(model ?? config.model),
  };
}

/**
 * Room for thinking on top of a caller's reply budget, by effort. Ours, not
 * the API's: adaptive thinking takes what it needs up to `max_tokens`, so a
 * small reply budget alone would leave a thinking model no words to answer in.
 */
const THINKING_ROOM: Record<Effort, number> = { low: 1024, medium: 2048, high: 4096, xhigh: 8192, max: 16_384 };

/**
 * One request of a turn, built from the model's row of the capability table:
 * only settings the model takes are sent. Sampling parameters go only to a
 * model that takes them (one of them: temperature wins); effort is the
 * nearest level the model takes; thinking is left to the model's default.
 */
export function requestParams(config: ClaudeConfig, request: ProviderRequest, messages: MessageParam[], round: number): MessageCreateParamsStreaming {
  const generation = request.generation ?? {};
  const model = generation.model ?? config.model;
  const row = capabilitiesOf(model);
  const system = systemBlocks(request.system);
  const tools = request.tools?.length ? request.tools.map(toTool) : undefined;
  const effort = effortFor(row, generation.effort ?? config.effort ?? CLAUDE_DEFAULTS.effort);
  const replyBudget = generation.maxTokens;
  const maxTokens =
    replyBudget === undefined ? config.maxTokens : replyBudget + (thinksByDefault(row) ? THINKING_ROOM[effort ?? CLAUDE_DEFAULTS.effort] : 0);
  const sampling =
    row.sampling === "none"
      ? {}
      : generation.temperature !== undefined
        ? { temperature: generation.temperature }
        : generation.topP !== undefined
          ? { top_p: generation.topP }
          : {};
  return {
    model,
    max_tokens: Math.min(maxTokens, row.maxOutputTokens),
    messages,
    stream: true,
    ...sampling,
    ...(effort ? { output_config: { effort } } : {}),
    ...(generation.stop?.length ? { stop_sequences: generation.stop } : {}),
    ...(system ? { system } : {}),
    // `none` on the last round: never a forced choice, which some models reject.
    ...(tools ? { tools, ...(round === MAX_ROUNDS ? { tool_choice: { type: "none" as const } } : {}) } : {}),
  };
}

async function* streamTurn(client: Anthropic, config: ClaudeConfig, request: ProviderRequest): AsyncGenerator<ProviderEvent> {
  const messages: MessageParam[] = request.messages.map((m) => ({ role: m.role, content: m.content }));
  const model = request.generation?.model ?? config.model;
  const prefill = messages.at(-1);
  if (prefill?.role === "assistant") {
    if (!capabilitiesOf(model).prefill) {
      throw new ProviderError(`${model} takes no assistant prefill: the conversation must end with a user message`, false, { rejected: true });
    }
    // The API refuses a prefill that ends in whitespace.
    prefill.content = String(prefill.content).trimEnd();
  }
  const usage: Required<TokenUsage> = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  const text = { emitted: "" };

  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const params = requestParams(config, request, messages, round);
    const result = new RoundResult();
    try {
      const stream = await client.messages.create(params, { signal: request.signal ?? null });
      for await (const event of stream) {
        const delta = result.apply(event);
        if (delta === THINKING) {
          yield { type: "thinking" };
          continue;
        }
        if (delta === undefined) continue;
        const separated = result.startsNewBlock && needsSeparator(text.emitted, delta) ? BLOCK_SEPARATOR + delta : delta;
        result.startsNewBlock = false;
        text.emitted += separated;
        yield { type: "delta", text: separated };
      }
    } catch (error) {
      if (request.signal?.aborted) throw aborted(request.signal, usage, result);
      throw toProviderError(error, config.apiKey);
    }
    // The SDK ends an aborted stream quietly; a stream cut short must not look like a finished reply.
    if (request.signal?.aborted) throw aborted(request.signal, usage, result);
    if (!result.stopped) throw new ProviderError("The Claude stream ended before message_stop", true);

    usage.inputTokens += result.usage.input;
    usage.outputTokens += result.usage.output;
    usage.cacheReadTokens += result.usage.cacheRead;
    usage.cacheWriteTokens += result.usage.cacheWrite;

    if (result.stopReason !== "tool_use" || round === MAX_ROUNDS) break;
    const calls = result.toolCalls();
    if (calls.length === 0) break;

    const toolResults: ToolResultBlockParam[] = [];
    for (const call of calls) toolResults.push(await runToolCall(call, request));
    messages.push({ role: "assistant", content: result.contentParams() }, { role: "user", content: toolResults });
  }

  yield { type: "done", usage };
}

/** An aborted request (a stop, a lost lock, a client gone), with the tokens billed so far: earlier rounds plus what this one reported. */
function aborted(signal: AbortSignal, earlier: Required<TokenUsage>, round: RoundResult): ProviderError {
  const usage = {
    inputTokens: earlier.inputTokens + round.usage.input,
    outputTokens: earlier.outputTokens + round.usage.output,
    cacheReadTokens: earlier.cacheReadTokens + round.usage.cacheRead,
    cacheWriteTokens: earlier.cacheWriteTokens + round.usage.cacheWrite,
  };
  return new ProviderError("The Claude request was aborted", false, { cause: signal.reason, usage });
}

/** The stable part carries the cache breakpoint (tools and system are cached together); the dynamic part follows it uncached. */
function systemBlocks(system: ProviderRequest["system"]): TextBlockParam[] | undefined {
  if (!system) return undefined;
  const blocks: TextBlockParam[] = [];
  if (system.stable) blocks.push({ type: "text", text: system.stable, cache_control: { type: "ephemeral" } });
  if (system.dynamic) blocks.push({ type: "text", text: system.dynamic });
  return blocks.length ? blocks : undefined;
}

function toTool(tool: NonNullable<ProviderRequest["tools"]>[number]): Tool {
  return { name: tool.name, description: tool.description, input_schema: { type: "object", ...tool.inputSchema } as Tool.InputSchema };
}

const needsSeparator = (before: string, next: string) => before !== "" && !/\s$/.test(before) && !/^\s/.test(next);

type ParsedToolCall = { id: string; name: string } & ({ ok: true; input: Record<string, unknown> } | { ok: false; reason: string });

async function runToolCall(call: ParsedToolCall, request: ProviderRequest): Promise<ToolResultBlockParam> {
  const reply = (result: ToolResult): ToolResultBlockParam => ({
    type: "tool_result",
    tool_use_id: call.id,
    content: result.content,
    ...(result.isError ? { is_error: true } : {}),
  });
  if (!call.ok) return reply({ content: call.reason, isError: true });
  if (!request.runTool) return reply({ content: `The tool ${call.name} is not available in this conversation.`, isError: true });
  // A runTool failure (e.g. storage down) fails the turn as is: it is not the model's mistake to correct.
  const toolCall: ToolCall = { id: call.id, name: call.name, input: call.input };
  return reply(await request.runTool(toolCall));
}

type Block =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "redacted_thinking"; data: string }
  | { type: "tool_use"; id: string; name: string; json: string }
  /** Any other block type, passed back as it started. */
  | { type: "other"; block: unknown };

/** What `RoundResult.apply` answers when a thinking block starts. */
const THINKING = Symbol("thinking");

/** What one streaming request produced: its content blocks, stop reason and usage. */
class RoundResult {
  readonly blocks: Block[] = [];
  stopReason: string | null = null;
  stopped = false;
  /** The next text delta is the first of a new text block. */
  startsNewBlock = false;
  readonly usage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

  /** Folds one event in; answers the text to relay, if any, or THINKING when the model starts to think. */
  apply(event: RawMessageStreamEvent): string | typeof THINKING | undefined {
    switch (event.type) {
      case "message_start": {
        const u = event.message.usage;
        this.usage.input = u.input_tokens ?? 0;
        this.usage.output = u.output_tokens ?? 0;
        this.usage.cacheRead = u.cache_read_input_tokens ?? 0;
        this.usage.cacheWrite = u.cache_creation_input_tokens ?? 0;
        return undefined;
      }
      case "content_block_start": {
        const block = event.content_block;
        switch (block.type) {
          case "text":
            this.blocks[event.index] = { type: "text", text: block.text };
            this.startsNewBlock = true;
            return block.text || undefined;
          case "thinking":
            this.blocks[event.index] = { type: "thinking", thinking: block.thinking, signature: block.signature };
            return THINKING;
          case "redacted_thinking":
            this.blocks[event.index] = { type: "redacted_thinking", data: block.data };
            return THINKING;
          case "tool_use":
            this.blocks[event.index] = { type: "tool_use", id: block.id, name: block.name, json: "" };
            return undefined;
          default:
            this.blocks[event.index] = { type: "other", block };
            return undefined;
        }
      }
      case "content_block_delta": {
        const block = this.blocks[event.index];
        const delta = event.delta;
        if (delta.type === "text_delta" && block?.type === "text") {
          block.text += delta.text;
          return delta.text || undefined;
        }
        if (delta.type === "input_json_delta" && block?.type === "tool_use") block.json += delta.partial_json;
        else if (delta.type === "thinking_delta" && block?.type === "thinking") block.thinking += delta.thinking;
        else if (delta.type === "signature_delta" && block?.type === "thinking") block.signature += delta.signature;
        return undefined;
      }
      case "message_delta": {
        this.stopReason = event.delta.stop_reason;
        // message_delta usage is cumulative for the request; fields it leaves null keep message_start's value.
        const u = event.usage;
        if (u.input_tokens != null) this.usage.input = u.input_tokens;
        if (u.output_tokens != null) this.usage.output = u.output_tokens;
        if (u.cache_read_input_tokens != null) this.usage.cacheRead = u.cache_read_input_tokens;
        if (u.cache_creation_input_tokens != null) this.usage.cacheWrite = u.cache_creation_input_tokens;
        return undefined;
      }
      case "message_stop":
        this.stopped = true;
        return undefined;
      default:
        return undefined;
    }
  }

  toolCalls(): ParsedToolCall[] {
    return this.blocks.filter((b): b is Extract<Block, { type: "tool_use" }> => b?.type === "tool_use").map((b) => {
      const parsed = parseToolInput(b.json);
      return parsed.ok ? { id: b.id, name: b.name, ok: true, input: parsed.input } : { id: b.id, name: b.name, ok: false, reason: parsed.reason };
    });
  }

  /** The assistant turn to send back with the tool results: every block, thinking included (its signature must come back unchanged). */
  contentParams(): ContentBlockParam[] {
    const params: ContentBlockParam[] = [];
    for (const block of this.blocks) {
      if (!block) continue;
      switch (block.type) {
        case "text":
          if (block.text) params.push({ type: "text", text: block.text });
          break;
        case "thinking":
          params.push({ type: "thinking", thinking: block.thinking, signature: block.signature });
          break;
        case "redacted_thinking":
          params.push({ type: "redacted_thinking", data: block.data });
          break;
        case "tool_use": {
          const parsed = parseToolInput(block.json);
          params.push({ type: "tool_use", id: block.id, name: block.name, input: parsed.ok ? parsed.input : {} });
          break;
        }
        case "other":
          params.push(block.block as ContentBlockParam);
          break;
      }
    }
    return params;
  }
}

function parseToolInput(json: string): { ok: true; input: Record<string, unknown> } | { ok: false; reason: string } {
  if (json.trim() === "") return { ok: true, input: {} };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, reason: "The tool input was not valid JSON. Call the tool again with a JSON object that matches its input schema." };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, reason: "The tool input must be a JSON object that matches the tool's input schema." };
  }
  return { ok: true, input: value as Record<string, unknown> };
}

/**
 * The SDK sleeps for any `retry-after` before retrying. On Lambda a long wait
 * only burns the function's time, so an answer asking for more than
 * `maxWaitMs` is not retried here: it fails at once as a retryable error.
 */
function capRetryAfter(maxWaitMs: number): Middleware {
  return async (request, next) => {
    const response = await next(request);
    if (response.ok) return response;
    const wait = retryAfterMs(response.headers);
    if (wait === undefined || wait <= maxWaitMs) return response;
    const headers = new Headers(response.headers);
    headers.set("x-should-retry", "false");
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}

function retryAfterMs(headers: Headers): number | undefined {
  const ms = Number.parseFloat(headers.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms)) return ms;
  const raw = headers.get("retry-after");
  if (!raw) return undefined;
  const seconds = Number.parseFloat(raw);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isFinite(date) ? date - Date.now() : undefined;
}
