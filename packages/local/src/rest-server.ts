import { randomUUID } from "node:crypto";
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { APIGatewayProxyResult } from "aws-lambda";
import { binaryMediaTypes } from "@coach/functions/manifest";
import type { Problem } from "@coach/functions/http/shared/problem";
import type { DevIssuer } from "./dev-issuer";
import { lambdaContext } from "./lambda-context";
import { allowedOrigin } from "./cors";
import { asStreamingHandler, LocalResponseStream } from "./lambda-streaming";
import { restEvent } from "./rest-event";
import { loadHandler, matchRoute, requestPath } from "./route-table";
import { serverTimeouts } from "./server-timeouts";

/** API Gateway REST accepts at most 10 MB; the handlers enforce their own, smaller limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** API Gateway REST's quotas: a URL of 8192 characters (edge-optimized APIs), a request line and headers of 10240 bytes. */
const MAX_URL_LENGTH = 8192;
const MAX_HEAD_BYTES = 10_240;
/**
 * Node's parser limit (16 KB by default) would answer before `serve` can tell
 * an over-long URL (414) from over-large headers (431). Above API Gateway's
 * limits, so that most over-limit requests reach `serve`; only a larger head
 * fails in the parser and gets its 431 from `answerClientError`.
 */
const PARSER_MAX_HEADER_BYTES = 64 * 1024;
/** How long a connection whose request could not be parsed may take to read its answer and close. */
const CLIENT_ERROR_LINGER_MS = 10_000;

export interface RestServerOptions {
  issuer: DevIssuer;
  /** The origins CORS allows (`*` for any); the handlers get the same list as CORS_ORIGINS. */
  corsOrigins: readonly string[];
  log: (line: string) => void;
}

/**
 * Emulates the API Gateway REST API: each request becomes a proxy event for
 * the manifest's handler, whose result becomes the response. Also serves the
 * dev issuer's JWKS, as the identity provider would.
 */
export function createRestServer(options: RestServerOptions): Server {
  const server = createServer({ ...serverTimeouts, maxHeaderSize: PARSER_MAX_HEADER_BYTES }, (request, response) => {
    serve(request, response, options).catch((error: unknown) => {
      const answer = gatewayProblem(options, 502, "integration.failed", "The request failed inside the local runtime; its log has the error under this trace id");
      options.log(`local runtime error (trace ${answer.traceId}): ${error instanceof Error ? error.stack : String(error)}`);
      if (!response.headersSent) send(response, answer.status, answer.headers, answer.body);
      else response.destroy();
    });
  });
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => answerClientError(error, socket, options));
  return server;
}

async function serve(request: IncomingMessage, response: ServerResponse, options: RestServerOptions): Promise<void> {
  const target = request.url ?? "/";
  const method = request.method ?? "GET";
  if (target.length > MAX_URL_LENGTH) return sendProblem(response, options, 414, "request.uri_too_long", `The URL exceeds ${MAX_URL_LENGTH} characters`);
  if (headBytes(request) > MAX_HEAD_BYTES) {
    return sendProblem(response, options, 431, "request.headers_too_large", `The request line and headers exceed ${MAX_HEAD_BYTES} bytes`);
  }
  const path = requestPath(target);
  // Only the query is read from it: as a whole, `new URL` would resolve dot segments and read `//x` as a host.
  const url = new URL(target.includes("?") ? target.slice(target.indexOf("?")) : "", "http://localhost/");
  if (path === "/.well-known/jwks.json" && method === "GET") {
    return send(response, 200, { "content-type": "application/json", "cache-control": "max-age=300" }, JSON.stringify(options.issuer.jwks()));
  }
  const matched = matchRoute(method, path);
  if (method === "OPTIONS" && matched) {
    // API Gateway answers CORS preflights itself (a mock integration); so do we.
    const origin = allowedOrigin(options.corsOrigins, request.headers.origin);
    return send(response, 204, {
      ...(origin ? { "access-control-allow-origin": origin } : {}),
      vary: "Origin",
      "access-control-allow-methods": "GET,POST,PUT,PATCH,DELETE,OPTIONS",
      "access-control-allow-headers": "authorization,content-type,x-api-key",
      "access-control-max-age": "600",
    });
  }
  if (!matched) return sendProblem(response, options, 404, "route.not_found", `No route for ${method} ${path}`);
  if ("allowed" in matched) {
    return sendProblem(response, options, 405, "route.method_not_allowed", `${method} is not allowed on ${path}`, { allow: matched.allowed.join(", ") });
  }
  const body = await readBody(request);
  if (body === "too_large") return sendProblem(response, options, 413, "request.too_large", "The request body is too large");

  const started = performance.now();
  const handler = await loadHandler(matched.route.handler);
  const event = restEvent(request, path, url, matched, body);
  const dispatched = `${method} ${path} [${matched.route.path}]`;
  const streaming = asStreamingHandler(handler);
  if (streaming) {
    const stream = new LocalResponseStream(response);
    try {
      await streaming(event, stream, lambdaContext(matched.route.handler));
    } catch (error) {
      // The handler's pipeline fails once its response stream is torn down: the client's doing, not a runtime error.
      if (!stream.clientWentAway || !isTeardown(error)) throw error;
    }
    if (stream.clientWentAway) {
      options.log(`${dispatched} → client went away (${(performance.now() - started).toFixed(1)} ms)`);
      return;
    }
    if (!stream.writableEnded) stream.end();
    options.log(`${dispatched} → streamed (${(performance.now() - started).toFixed(1)} ms)`);
    return;
  }
  const result = (await handler(event, lambdaContext(matched.route.handler))) as APIGatewayProxyResult;
  const headers: Record<string, string> = {};
  // Lambda serializes the result as JSON, which drops undefined values (middy uses them to unset headers).
  for (const [name, value] of Object.entries(result.headers ?? {})) if (value !== undefined && value !== null) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) headers[name] = values.map(String).join(", ");
  const payload = result.isBase64Encoded && acceptsBinary(request.headers.accept) ? Buffer.from(result.body, "base64") : result.body;
  send(response, result.statusCode, headers, payload);
  options.log(`${dispatched} → ${result.statusCode} (${(performance.now() - started).toFixed(1)} ms)`);
}

/**
 * Whether API Gateway would turn a base64-encoded result back into bytes: only
 * when the request's first `Accept` type is one of the API's binary media
 * types. Otherwise the client gets the base64 text, as it would on AWS.
 */
export function acceptsBinary(accept: string | undefined): boolean {
  const first = accept?.split(",")[0]?.split(";")[0]?.trim().toLowerCase();
  if (!first) return false;
  return binaryMediaTypes.some((type) => type === first || (type.endsWith("/*") && first.startsWith(type.slice(0, -1))));
}

/** How a pipeline into a destroyed stream fails (destroyed while piping, or before). */
const isTeardown = (error: unknown) => ["ERR_STREAM_PREMATURE_CLOSE", "ERR_STREAM_DESTROYED"].includes((error as NodeJS.ErrnoException | undefined)?.code ?? "");

/** The request line and headers as they came over the wire, in bytes (Node keeps raw header strings as latin1). */
function headBytes(request: IncomingMessage): number {
  let bytes = `${request.method ?? ""} ${request.url ?? ""} HTTP/${request.httpVersion}\r\n`.length;
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) bytes += request.rawHeaders[i]!.length + 2 + request.rawHeaders[i + 1]!.length + 2;
  return bytes;
}

/**
 * Reads to the end even past the limit: the unread rest would otherwise be
 * parsed as the next request on this keep-alive connection, and closing with
 * it unread resets the connection, often before the client has read the 413.
 */
async function readBody(request: IncomingMessage): Promise<Buffer | "too_large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
  }
  return size > MAX_PAYLOAD_BYTES ? "too_large" : Buffer.concat(chunks);
}

function send(response: ServerResponse, status: number, headers: Record<string, string>, body?: string | Buffer): void {
  response.writeHead(status, headers);
  response.end(body);
}

interface GatewayAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  traceId: string;
}

/**
 * An error the gateway answers itself, in the one shape of every error of the
 * API (problem+json with a trace id), with the CORS header that API Gateway's
 * gateway responses carry (the Api stack).
 */
function gatewayProblem(options: RestServerOptions, status: number, code: string, detail: string, headers: Record<string, string> = {}): GatewayAnswer {
  const traceId = randomUUID();
  const problem: Problem = { type: `urn:coach:problem:${code}`, title: STATUS_CODES[status] ?? "Error", status, detail, code, traceId };
  return {
    status,
    headers: { "content-type": "application/problem+json", "x-trace-id": traceId, ...gatewayCors(options), ...headers },
    body: JSON.stringify(problem),
    traceId,
  };
}

/** Like the Api stack's gateway responses: a CORS header only when there is one static origin to send. */
function gatewayCors(options: RestServerOptions): Record<string, string> {
  const [only] = options.corsOrigins;
  return options.corsOrigins.length === 1 && only !== undefined ? { "access-control-allow-origin": only } : {};
}

function sendProblem(response: ServerResponse, ...problem: Parameters<typeof gatewayProblem>): void {
  const answer = gatewayProblem(...problem);
  send(response, answer.status, answer.headers, answer.body);
}

const clientErrors: Record<string, [status: number, code: string, detail: string]> = {
  HPE_HEADER_OVERFLOW: [431, "request.headers_too_large", `The request line and headers exceed ${MAX_HEAD_BYTES} bytes`],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, "request.too_large", "The request body's chunk extensions are too large"],
  ERR_HTTP_REQUEST_TIMEOUT: [408, "request.timeout", "The request did not arrive in time"],
};
const answeredSockets = new WeakSet<Duplex>();

/** A request Node's parser rejected: no IncomingMessage exists, so the answer goes to the socket as raw HTTP, then the connection closes. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, options: RestServerOptions): void {
  // A failed parser fails again on every further chunk of the same request.
  if (answeredSockets.has(socket)) return;
  answeredSockets.add(socket);
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, detail] = clientErrors[error.code ?? ""] ?? [400, "request.malformed", "The request is not valid HTTP"];
  const answer = gatewayProblem(options, status, code, detail, { connection: "close" });
  const head = Object.entries({ ...answer.headers, "content-length": String(Buffer.byteLength(answer.body)) }).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\n${head.join("")}\r\n${answer.body}`);
  // Destroying now, with the rest of the request unread, would reset the connection and could take the
  // answer with it; the failed parser keeps discarding what arrives until the client closes.
  setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS).unref();
}
