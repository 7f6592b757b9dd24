import type { IncomingMessage, ServerResponse } from "node:http";
import { gatewayId } from "./ws-event";

/**
 * The API Gateway `@connections` management API (apigatewaymanagementapi,
 * restJson1), as the unmodified `ApiGatewayManagementApiClient` calls it with
 * `endpoint: http://host:port/<stage>`:
 *
 *   POST   /<stage>/@connections/{id}   body = the data → 200, sent as a text frame
 *   GET    /<stage>/@connections/{id}   → 200 {connectedAt, identity, lastActiveAt}
 *   DELETE /<stage>/@connections/{id}   → 204, the connection is closed
 *
 * An unknown or closed connection answers 410 GoneException; the SDK picks the
 * error from the `x-amzn-errortype` header. Request signatures are not checked.
 */

/** API Gateway's limit on a message, PostToConnection's data included. */
export const MAX_MESSAGE_BYTES = 128 * 1024;

/** A connection as the management API sees it. */
export interface ManagedConnection {
  readonly connectedAt: number;
  readonly lastActiveAt: number;
  readonly identity: { sourceIp: string; userAgent?: string };
  /** Sends one text frame; resolves once it is handed to the socket, rejects when the connection is gone. */
  send(data: Buffer): Promise<void>;
  /** Closes the connection as DeleteConnection does. */
  close(): void;
}

export interface ConnectionsApiOptions {
  stage: string;
  connection(connectionId: string): ManagedConnection | undefined;
}

/** `undefined` when the path is not an `@connections` path, else the decoded connection id ("" when missing). */
export function connectionsPath(pathname: string, stage: string): string | undefined {
  const match = /^(?:\/([^/]+))?\/@connections(?:\/([^/]*))?\/?$/.exec(pathname);
  if (!match) return undefined;
  if (match[1] !== undefined && match[1] !== stage) return undefined;
  try {
    return decodeURIComponent(match[2] ?? "");
  } catch {
    return match[2] ?? "";
  }
}

/** Serves one `@connections` request; the caller has checked the path with `connectionsPath`. */
export async function serveConnections(request: IncomingMessage, response: ServerResponse, connectionId: string, options: ConnectionsApiOptions): Promise<void> {
  const method = request.method ?? "GET";
  const body = await readBody(request, MAX_MESSAGE_BYTES);
  if (!connectionId || !["POST", "GET", "DELETE"].includes(method)) {
    // What API Gateway answers for a path or method it has no operation for.
    return sendError(response, 403, "ForbiddenException", "Forbidden");
  }
  const connection = options.connection(connectionId);
  if (!connection) return sendError(response, 410, "GoneException", `Connection ${connectionId} is gone`);

  if (method === "GET") {
    return sendJson(response, 200, {
      connectedAt: new Date(connection.connectedAt).toISOString(),
      identity: { sourceIp: connection.identity.sourceIp, userAgent: connection.identity.userAgent ?? "" },
      lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
    });
  }
  if (method === "DELETE") {
    connection.close();
    return send(response, 204);
  }
  if (body === "too_large") {
    return sendError(response, 413, "PayloadTooLargeException", `Message too long. Max message size is ${MAX_MESSAGE_BYTES} bytes`);
  }
  try {
    await connection.send(body);
  } catch {
    return sendError(response, 410, "GoneException", `Connection ${connectionId} is gone`);
  }
  send(response, 200);
}

/** The whole body, or `too_large` once it passes `limit` (the rest is still read, so the client sees the answer). */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | "too_large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? "too_large" : Buffer.concat(chunks, size);
}

function send(response: ServerResponse, status: number, headers: Record<string, string> = {}, body?: string): void {
  response.writeHead(status, {
    "x-amzn-requestid": gatewayId(),
    "content-length": String(body === undefined ? 0 : Buffer.byteLength(body)),
    ...headers,
  });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, { "content-type": "application/json" }, JSON.stringify(value));
}

function sendError(response: ServerResponse, status: number, errorType: string, message: string): void {
  send(response, status, { "content-type": "application/json", "x-amzn-errortype": errorType }, JSON.stringify({ message }));
}
