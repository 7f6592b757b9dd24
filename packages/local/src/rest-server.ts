import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { APIGatewayProxyResult } from "aws-lambda";
import type { DevIssuer } from "./dev-issuer";
import { lambdaContext } from "./lambda-context";
import { asStreamingHandler, LocalResponseStream } from "./lambda-streaming";
import { restEvent } from "./rest-event";
import { loadHandler, matchRoute } from "./route-table";

/** API Gateway REST accepts at most 10 MB; the handlers enforce their own, smaller limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface RestServerOptions {
  issuer: DevIssuer;
  corsOrigin: string;
  log: (line: string) => void;
}

/**
 * Emulates the API Gateway REST API: each request becomes a proxy event for
 * the manifest's handler, whose result becomes the response. Also serves the
 * dev issuer's JWKS, as the identity provider would.
 */
export function createRestServer(options: RestServerOptions): Server {
  return createServer((request, response) => {
    serve(request, response, options).catch((error: unknown) => {
      options.log(`local runtime error: ${error instanceof Error ? error.stack : String(error)}`);
      if (!response.headersSent) send(response, 502, { "content-type": "application/json" }, JSON.stringify({ message: "Internal server error" }));
      else response.destroy();
    });
  });
}

async function serve(request: IncomingMessage, response: ServerResponse, options: RestServerOptions): Promise<void> {
  const url = new URL(request.url ?? "/", "http://localhost");
  const method = request.method ?? "GET";
  if (url.pathname === "/.well-known/jwks.json" && method === "GET") {
    return send(response, 200, { "content-type": "application/json", "cache-control": "max-age=300" }, JSON.stringify(options.issuer.jwks()));
  }
  const matched = matchRoute(method, url.pathname);
  if (method === "OPTIONS" && matched) {
    // API Gateway answers CORS preflights itself (a mock integration); so do we.
    return send(response, 204, {
      "access-control-allow-origin": options.corsOrigin,
      "access-control-allow-methods": "GET,POST,PUT,PATCH,DELETE,OPTIONS",
      "access-control-allow-headers": "authorization,content-type,x-api-key",
      "access-control-max-age": "600",
    });
  }
  // API Gateway's own error responses carry the CORS header too (gateway responses in the Api stack).
  const cors = { "access-control-allow-origin": options.corsOrigin };
  if (!matched) return sendProblem(response, 404, "route.not_found", `No route for ${method} ${url.pathname}`, cors);
  if ("allowed" in matched) {
    return sendProblem(response, 405, "route.method_not_allowed", `${method} is not allowed on ${url.pathname}`, { ...cors, allow: matched.allowed.join(", ") });
  }
  const body = await readBody(request);
  if (body === "too_large") return sendProblem(response, 413, "request.too_large", "The request body is too large", cors);

  const started = performance.now();
  const handler = await loadHandler(matched.route.handler);
  const event = restEvent(request, url, matched, body);
  const streaming = asStreamingHandler(handler);
  if (streaming) {
    const stream = new LocalResponseStream(response);
    try {
      await streaming(event, stream, lambdaContext(matched.route.handler));
      if (!stream.writableEnded) stream.end();
    } catch (error) {
      if (stream.started) throw error;
      options.log(`local runtime error: ${error instanceof Error ? error.stack : String(error)}`);
      send(response, 502, { "content-type": "application/json" }, JSON.stringify({ message: "Internal server error" }));
    }
    options.log(`${method} ${url.pathname} → streamed (${(performance.now() - started).toFixed(1)} ms)`);
    return;
  }
  const result = (await handler(event, lambdaContext(matched.route.handler))) as APIGatewayProxyResult;
  const headers: Record<string, string> = {};
  // Lambda serializes the result as JSON, which drops undefined values (middy uses them to unset headers).
  for (const [name, value] of Object.entries(result.headers ?? {})) if (value !== undefined && value !== null) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) headers[name] = values.map(String).join(", ");
  const payload = result.isBase64Encoded ? Buffer.from(result.body, "base64") : result.body;
  send(response, result.statusCode, headers, payload);
  options.log(`${method} ${url.pathname} → ${result.statusCode} (${(performance.now() - started).toFixed(1)} ms)`);
}

async function readBody(request: IncomingMessage): Promise<Buffer | "too_large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_PAYLOAD_BYTES) return "too_large";
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, status: number, headers: Record<string, string>, body?: string | Buffer): void {
  response.writeHead(status, headers);
  response.end(body);
}

function sendProblem(response: ServerResponse, status: number, code: string, detail: string, headers: Record<string, string> = {}): void {
  const titles: Record<number, string> = { 404: "Not Found", 405: "Method Not Allowed", 413: "Payload Too Large" };
  const traceId = randomUUID();
  send(
    response,
    status,
    { "content-type": "application/problem+json", "x-trace-id": traceId, ...headers },
    JSON.stringify({ type: `urn:coach:problem:${code}`, title: titles[status], status, detail, code, traceId }),
  );
}
