import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local fake of the Anthropic Messages API (`POST /v1/messages`) that
 * speaks the real wire format: the SSE event stream of `stream: true`
 * (message_start … message_stop, ping, mid-stream `error` events) and the
 * JSON error bodies of failed requests. Tests script it response by response
 * (`enqueue`) and read back what it received (`requests`).
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

export interface FakeAnthropic {
  /** Base URL for the SDK's `baseURL` (no trailing slash, no /v1). */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Responses for the next requests, in order. A request with none left gets a 500 api_error. */
  enqueue(...responses: FakeResponse[]): void;
  /** Responses not yet used. */
  readonly pending: number;
  /** Streams whose client went away before the last event was written. */
  readonly abandonedStreams: number;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeAnthropic(): Promise<FakeAnthropic> {
  const queue: FakeResponse[] = [];
  const requests: ReceivedRequest[] = [];
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
      requests.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body,
        apiKey: typeof xApiKey === "string" ? xApiKey : auth?.startsWith("Bearer ") ? auth.slice("Bearer ".length) : undefined,
      });

      if (req.method !== "POST" || !req.url?.startsWith("/v1/messages")) {
        return sendError(res, { kind: "error", status: 404, type: "not_found_error", message: `Not found: ${req.method} ${req.url}` }, requestId());
      }
      const response = queue.shift() ?? {
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
      void sendStream(res, response, requestId()).then((completed) => {
        if (!completed) abandonedStreams++;
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
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
async function sendStream(res: ServerResponse, response: Extract<FakeResponse, { kind: "stream" }>, requestId: string): Promise<boolean> {
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
