import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { knownCapabilities, type Effort, type ModelCapabilities } from "@coach/core/ai";
import { contractViolation, IssuedThinking, thinks, type MessagesBody } from "./fake-anthropic-contract";

/**
 * A local fake of the Anthropic Messages API (`POST /v1/messages`) that
 * speaks the real wire format: the SSE event stream of `stream: true`
 * (message_start … message_stop, ping, mid-stream `error` events) and the
 * JSON error bodies of failed requests. Tests script it response by response
 * (`enqueue`) and read back what it received (`requests`).
 *
 * It holds every request to its model's row of the capability table, as the
 * real API does: a setting the model rejects is answered with the API's 400
 * (and uses up no scripted response), an unknown model with its 404, and a
 * thinking block it sent must come back unchanged with the tool results.
 * A `model` response is written as that model would: thinking first when
 * thinking is on, usage counted with the model's token factor.
 */

/** One SSE event; `delayMs` waits before sending it, `after` waits for a promise (e.g. "the client has seen the first delta"). */
export interface SseEvent {
  event: string;
  data: unknown;
  delayMs?: number;
  after?: Promise<unknown>;
}

export type FakeResponse =
  /** A 200 `text/event-stream` answer; `headersDelayMs` holds the headers back (for client timeouts). */
  | { kind: "stream"; events: SseEvent[]; headersDelayMs?: number }
  /** A 200 stream the fake writes for the request's model: its text and tool calls, thinking first when the model thinks. */
  | { kind: "model"; text: string[]; toolUses?: FakeToolUse[] }
  /** A non-2xx answer with the API's JSON error body. */
  | { kind: "error"; status: number; type: string; message: string; headers?: Record<string, string> }
  /** Destroys the connection without answering (a network failure). */
  | { kind: "drop" };

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
  /** The key the client authenticated with, from `x-api-key` or `Authorization: Bearer`. */
  apiKey: string | undefined;
}

/** A request the fake refused because its model rejects a setting in it. */
export interface Rejection {
  request: ReceivedRequest;
  status: number;
  type: string;
  message: string;
}

export interface FakeAnthropicOptions {
  /** How long a model reply thinks before its first text, by effort (the bench's stand-in for real thinking time). */
  thinkingMs?: Partial<Record<Effort, number>>;
}

export interface FakeAnthropic {
  /** Base URL for the SDK's `baseURL` (no trailing slash, no /v1). */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** The requests refused for breaking their model's contract, with the API's answer. */
  readonly rejections: Rejection[];
  /** Responses for the next requests, in order. A request with none left gets a 500 api_error. */
  enqueue(...responses: FakeResponse[]): void;
  /** Responses not yet used. */
  readonly pending: number;
  /** Streams whose client went away before the last event was written. */
  readonly abandonedStreams: number;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const queue: FakeResponse[] = [];
  const requests: ReceivedRequest[] = [];
  const rejections: Rejection[] = [];
  const issued = new IssuedThinking();
  let abandonedStreams = 0;
  let ids = 0;
  const requestId = () => `req_fake${String(++ids).padStart(6, "0")}`;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        // keep the raw text
      }
      const auth = req.headers.authorization;
      const xApiKey = req.headers["x-api-key"];
      const received: ReceivedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body,
        apiKey: typeof xApiKey === "string" ? xApiKey : auth?.startsWith("Bearer ") ? auth.slice("Bearer ".length) : undefined,
      };
      requests.push(received);

      if (req.method !== "POST" || !req.url?.startsWith("/v1/messages")) {
        return sendError(res, { kind: "error", status: 404, type: "not_found_error", message: `Not found: ${req.method} ${req.url}` }, requestId());
      }
      const violation = contractViolation(body, issued);
      if (violation) {
        rejections.push({ request: received, ...violation });
        return sendError(res, { kind: "error", ...violation }, requestId());
      }
      const scripted = queue.shift();
      const response: FakeResponse = (scripted?.kind === "model" ? modelStream(body as MessagesBody, scripted, options) : scripted) ?? {
        kind: "error",
        status: 500,
        type: "api_error",
        message: "The fake Messages API has no scripted response left",
      };
      if (response.kind === "drop") {
        req.socket.destroy();
        return;
      }
      if (response.kind === "error") return sendError(res, response, requestId());
      void sendStream(res, response as Extract<FakeResponse, { kind: "stream" }>, requestId(), issued).then((completed) => {
        if (!completed) abandonedStreams++;
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    rejections,
    enqueue: (...responses) => void queue.push(...responses),
    get pending() {
      return queue.length;
    },
    get abandonedStreams() {
      return abandonedStreams;
    },
    reset() {
      queue.length = 0;
      requests.length = 0;
      rejections.length = 0;
      abandonedStreams = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function sendError(res: ServerResponse, response: Extract<FakeResponse, { kind: "error" }>, requestId: string) {
  const body = JSON.stringify({ type: "error", error: { type: response.type, message: response.message }, request_id: requestId });
  res.writeHead(response.status, {
    "content-type": "application/json",
    "request-id": requestId,
    // The fake answers at once; keep-alive would only slow test shutdown.
    connection: "close",
    ...response.headers,
  });
  res.end(body);
}

/** Writes the events in order, honouring their delays; answers false if the client went away first. */
async function sendStream(res: ServerResponse, response: Extract<FakeResponse, { kind: "stream" }>, requestId: string, issued: IssuedThinking): Promise<boolean> {
  issued.record(response.events);
  let closed = false;
  res.on("close", () => {
    closed = true;
  });
  if (response.headersDelayMs) await sleep(response.headersDelayMs);
  if (closed) return false;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "request-id": requestId,
    connection: "close",
  });
  res.flushHeaders();
  for (const event of response.events) {
    if (event.after) await event.after;
    if (event.delayMs) await sleep(event.delayMs);
    if (closed) return false;
    res.write(`event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`);
  }
  res.end();
  return true;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------
// Builders for the real event stream.

export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

let messageIds = 0;

export const events = {
  messageStart(usage: FakeUsage, model = "claude-sonnet-5-5"): SseEvent {
    return {
      event: "message_start",
      data: {
        type: "message_start",
        message: {
          id: `msg_fake${String(++messageIds).padStart(6, "0")}`,
          type: "message",
          role: "assistant",
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: usage.input_tokens,
            cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
            cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
            output_tokens: 1,
            service_tier: "standard",
          },
        },
      },
    };
  },
  ping: (): SseEvent => ({ event: "ping", data: { type: "ping" } }),
  textStart: (index: number): SseEvent => ({
    event: "content_block_start",
    data: { type: "content_block_start", index, content_block: { type: "text", text: "" } },
  }),
  textDelta: (index: number, text: string, timing: Pick<SseEvent, "delayMs" | "after"> = {}): SseEvent => ({
    event: "content_block_delta",
    data: { type: "content_block_delta", index, delta: { type: "text_delta", text } },
    ...timing,
  }),
  toolUseStart: (index: number, id: string, name: string): SseEvent => ({
    event: "content_block_start",
    data: { type: "content_block_start", index, content_block: { type: "tool_use", id, name, input: {} } },
  }),
  inputJsonDelta: (index: number, partialJson: string): SseEvent => ({
    event: "content_block_delta",
    data: { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: partialJson } },
  }),
  thinkingStart: (index: number): SseEvent => ({
    event: "content_block_start",
    data: { type: "content_block_start", index, content_block: { type: "thinking", thinking: "", signature: "" } },
  }),
  thinkingDelta: (index: number, thinking: string): SseEvent => ({
    event: "content_block_delta",
    data: { type: "content_block_delta", index, delta: { type: "thinking_delta", thinking } },
  }),
  signatureDelta: (index: number, signature: string): SseEvent => ({
    event: "content_block_delta",
    data: { type: "content_block_delta", index, delta: { type: "signature_delta", signature } },
  }),
  blockStop: (index: number): SseEvent => ({ event: "content_block_stop", data: { type: "content_block_stop", index } }),
  messageDelta: (stopReason: string, outputTokens: number): SseEvent => ({
    event: "message_delta",
    data: { type: "message_delta", delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } },
  }),
  messageStop: (timing: Pick<SseEvent, "delayMs" | "after"> = {}): SseEvent => ({ event: "message_stop", data: { type: "message_stop" }, ...timing }),
  error: (type: string, message: string): SseEvent => ({ event: "error", data: { type: "error", error: { type, message } } }),
};

/** A complete text reply, streamed chunk by chunk. */
export function textReply(chunks: string[], usage: FakeUsage = { input_tokens: 10, output_tokens: 5 }): FakeResponse {
  return {
    kind: "stream",
    events: [
      events.messageStart(usage),
      events.textStart(0),
      events.ping(),
      ...chunks.map((chunk) => events.textDelta(0, chunk)),
      events.blockStop(0),
      events.messageDelta("end_turn", usage.output_tokens),
      events.messageStop(),
    ],
  };
}

export interface FakeToolUse {
  id: string;
  name: string;
  /** The input JSON as the API streams it: in partial_json chunks (they need not be valid on their own). */
  jsonChunks: string[];
}

/** A reply that says some text (optional), then calls tools, and stops with `stop_reason: "tool_use"`. */
export function toolUseReply(toolUses: FakeToolUse[], options: { text?: string[]; usage?: FakeUsage } = {}): FakeResponse {
  const usage = options.usage ?? { input_tokens: 10, output_tokens: 20 };
  const list: SseEvent[] = [events.messageStart(usage)];
  let index = 0;
  if (options.text?.length) {
    list.push(events.textStart(index), ...options.text.map((t) => events.textDelta(index, t)), events.blockStop(index));
    index++;
  }
  for (const use of toolUses) {
    list.push(events.toolUseStart(index, use.id, use.name), events.inputJsonDelta(index, ""));
    list.push(...use.jsonChunks.map((chunk) => events.inputJsonDelta(index, chunk)), events.blockStop(index));
    index++;
  }
  list.push(events.messageDelta("tool_use", usage.output_tokens), events.messageStop());
  return { kind: "stream", events: list };
}

/** A failed request as the API answers it, e.g. `httpError(429, "rate_limit_error", "…", { "retry-after": "0" })`. */
export function httpError(status: number, type: string, message: string, headers?: Record<string, string>): FakeResponse {
  return { kind: "error", status, type, message, ...(headers ? { headers } : {}) };
}

/** A model reply as the fake writes it; see FakeResponse `model`. */
export function modelReply(text: string[], toolUses: FakeToolUse[] = []): FakeResponse {
  return { kind: "model", text, toolUses };
}

/** About four characters a token on Claude Sonnet 4.6's tokenizer, times the model's factor. */
export const countTokens = (text: string, row: Pick<ModelCapabilities, "tokenFactor">) => Math.ceil((text.length / 4) * row.tokenFactor);

/** A `model` response as the request's model writes it. */
function modelStream(body: MessagesBody, reply: Extract<FakeResponse, { kind: "model" }>, options: FakeAnthropicOptions): FakeResponse {
  const row = knownCapabilities(String(body.model))!;
  const prompt = JSON.stringify([body.system ?? "", body.tools ?? [], body.messages ?? []]);
  const reasoning = "What does the person need from this reply?";
  const thinking = thinks(row, body);
  const output = countTokens(reply.text.join(""), row) + (thinking ? countTokens(reasoning, row) : 0) + (reply.toolUses ?? []).reduce((sum, use) => sum + countTokens(use.jsonChunks.join(""), row), 0);
  const list: SseEvent[] = [events.messageStart({ input_tokens: countTokens(prompt, row), output_tokens: 0 }, String(body.model))];
  let index = 0;
  if (thinking) {
    const delayMs = options.thinkingMs?.[(body.output_config?.effort as Effort | undefined) ?? "high"] ?? 0;
    // Display omitted: the block carries no text, only the signature that lets it come back.
    list.push(events.thinkingStart(index), { ...events.signatureDelta(index, `sig_${randomBytes(12).toString("base64url")}`), delayMs }, events.blockStop(index));
    index++;
  }
  if (reply.text.length) {
    list.push(events.textStart(index), ...reply.text.map((chunk) => events.textDelta(index, chunk)), events.blockStop(index));
    index++;
  }
  for (const use of reply.toolUses ?? []) {
    list.push(events.toolUseStart(index, use.id, use.name), ...use.jsonChunks.map((chunk) => events.inputJsonDelta(index, chunk)), events.blockStop(index));
    index++;
  }
  list.push(events.messageDelta(reply.toolUses?.length ? "tool_use" : "end_turn", output), events.messageStop());
  return { kind: "stream", events: list };
}
