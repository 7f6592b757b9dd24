import { randomBytes } from "node:crypto";
import { queryParameters } from "./query-string";
import type { IncomingMessage } from "node:http";

/**
 * The events API Gateway WebSocket APIs pass to Lambda proxy integrations,
 * built field for field as API Gateway builds them (the `$connect` event has
 * the request's headers and query string; message and `$disconnect` events
 * share one request context).
 */

export type WebSocketEventType = "CONNECT" | "MESSAGE" | "DISCONNECT";

export interface WebSocketRequestContext {
  routeKey: string;
  messageId?: string;
  eventType: WebSocketEventType;
  extendedRequestId: string;
  requestTime: string;
  messageDirection: "IN";
  stage: string;
  connectedAt: number;
  requestTimeEpoch: number;
  identity: { sourceIp: string; userAgent?: string };
  requestId: string;
  domainName: string;
  connectionId: string;
  apiId: string;
  disconnectStatusCode?: number;
  disconnectReason?: string;
  /** The `$connect` authorizer's `context` and `principalId`, on every event of the connection it allowed. */
  authorizer?: AuthorizerContext;
}

/** What API Gateway passes on from an authorizer's answer: its `context` (scalar values only) plus `principalId`. */
export type AuthorizerContext = Record<string, string | number | boolean>;

/** The input of a Lambda REQUEST authorizer on a WebSocket API's `$connect`. */
export interface WebSocketAuthorizerEvent {
  type: "REQUEST";
  /** `arn:aws:execute-api:<region>:<account>:<api id>/<stage>/$connect`: no HTTP method, unlike REST. */
  methodArn: string;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters?: Record<string, string>;
  multiValueQueryStringParameters?: Record<string, string[]>;
  stageVariables: Record<string, string>;
  requestContext: WebSocketRequestContext;
}

/** The `$connect` event: the upgrade request's headers and query string, no body. */
export interface WebSocketConnectEvent {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters?: Record<string, string>;
  multiValueQueryStringParameters?: Record<string, string[]>;
  requestContext: WebSocketRequestContext;
  isBase64Encoded: false;
}

/** A message event (`$default` or a custom route): the frame as the body. */
export interface WebSocketMessageEvent {
  requestContext: WebSocketRequestContext;
  body: string;
  isBase64Encoded: boolean;
}

/** The `$disconnect` event. */
export interface WebSocketDisconnectEvent {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  requestContext: WebSocketRequestContext;
  isBase64Encoded: false;
}

/** What API Gateway knows about a connection, fixed when it opens. */
export interface ConnectionFacts {
  connectionId: string;
  connectedAt: number;
  identity: { sourceIp: string; userAgent?: string };
  stage: string;
  domainName: string;
  apiId: string;
  /** Set once the `$connect` authorizer allowed the connection. */
  authorizer?: AuthorizerContext;
}

/**
 * An id in the shape API Gateway uses for connection, request and message ids:
 * 16 characters ending in `=` (e.g. `L0SM9cOFvHcCIhw=`). URL-safe here, but the
 * `=` still has to survive the `@connections/{id}` path, as on AWS.
 */
export function gatewayId(): string {
  return `${randomBytes(11).toString("base64url")}=`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `09/Feb/2024:18:11:43 +0000`, API Gateway's `requestTime`. */
export function requestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

function requestContext(facts: ConnectionFacts, routeKey: string, eventType: WebSocketEventType, extra: Partial<WebSocketRequestContext> = {}): WebSocketRequestContext {
  const now = Date.now();
  const requestId = gatewayId();
  return {
    routeKey,
    ...(extra.messageId ? { messageId: extra.messageId } : {}),
    eventType,
    extendedRequestId: requestId,
    requestTime: requestTime(now),
    messageDirection: "IN",
    stage: facts.stage,
    connectedAt: facts.connectedAt,
    requestTimeEpoch: now,
    identity: { ...facts.identity },
    requestId,
    domainName: facts.domainName,
    connectionId: facts.connectionId,
    apiId: facts.apiId,
    ...(extra.disconnectStatusCode !== undefined ? { disconnectStatusCode: extra.disconnectStatusCode } : {}),
    ...(extra.disconnectReason !== undefined ? { disconnectReason: extra.disconnectReason } : {}),
    ...(facts.authorizer ? { authorizer: { ...facts.authorizer } } : {}),
  };
}

/** The client's address, as API Gateway reports it in `identity.sourceIp`. */
export function sourceIp(request: IncomingMessage): string {
  const peer = request.socket.remoteAddress ?? "127.0.0.1";
  return peer.startsWith("::ffff:") ? peer.slice(7) : peer;
}

export function connectEvent(request: IncomingMessage, url: URL, facts: ConnectionFacts): WebSocketConnectEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  const add = (name: string, value: string) => {
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  };
  for (let i = 0; i < request.rawHeaders.length; i += 2) add(request.rawHeaders[i]!, request.rawHeaders[i + 1]!);
  // Headers API Gateway adds in front of the integration.
  const has = (name: string) => Object.keys(headers).some((key) => key.toLowerCase() === name.toLowerCase());
  if (!has("X-Amzn-Trace-Id")) add("X-Amzn-Trace-Id", `Root=1-${Math.floor(facts.connectedAt / 1000).toString(16)}-${randomBytes(12).toString("hex")}`);
  if (!has("X-Forwarded-For")) add("X-Forwarded-For", facts.identity.sourceIp);
  if (!has("X-Forwarded-Port")) add("X-Forwarded-Port", String(request.socket.localPort ?? ""));
  if (!has("X-Forwarded-Proto")) add("X-Forwarded-Proto", "http");

  const query = queryParameters(url);
  return {
    headers,
    multiValueHeaders,
    // API Gateway leaves both out when the URL has no query string.
    ...(query.queryStringParameters && query.multiValueQueryStringParameters
      ? { queryStringParameters: query.queryStringParameters, multiValueQueryStringParameters: query.multiValueQueryStringParameters }
      : {}),
    requestContext: requestContext(facts, "$connect", "CONNECT"),
    isBase64Encoded: false,
  };
}

/** The authorizer's input: the `$connect` request as the `$connect` event has it, the same request context. */
export function authorizerEvent(connect: WebSocketConnectEvent, methodArn: string): WebSocketAuthorizerEvent {
  return {
    type: "REQUEST",
    methodArn,
    headers: connect.headers,
    multiValueHeaders: connect.multiValueHeaders,
    ...(connect.queryStringParameters && connect.multiValueQueryStringParameters
      ? { queryStringParameters: connect.queryStringParameters, multiValueQueryStringParameters: connect.multiValueQueryStringParameters }
      : {}),
    stageVariables: {},
    requestContext: connect.requestContext,
  };
}

export function messageEvent(facts: ConnectionFacts, routeKey: string, body: string, isBase64Encoded: boolean): WebSocketMessageEvent {
  return {
    requestContext: requestContext(facts, routeKey, "MESSAGE", { messageId: gatewayId() }),
    body,
    isBase64Encoded,
  };
}

export function disconnectEvent(facts: ConnectionFacts, statusCode: number, reason: string): WebSocketDisconnectEvent {
  // What API Gateway sends on $disconnect: no client headers, only its own.
  const headers = { Host: facts.domainName, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": "" };
  return {
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    requestContext: requestContext(facts, "$disconnect", "DISCONNECT", { disconnectStatusCode: statusCode, disconnectReason: reason }),
    isBase64Encoded: false,
  };
}

/**
 * API Gateway's route selection with `$request.body.action`: the route whose
 * key equals the frame's `action`, else `$default`. `$`-routes are never
 * selected by a message. `undefined`: no route matches (no `$default`).
 */
export function selectRoute(body: string | undefined, routeKeys: ReadonlySet<string>): string | undefined {
  if (body !== undefined) {
    let action: unknown;
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) action = (parsed as Record<string, unknown>).action;
    } catch {
      // Not JSON: $default.
    }
    if (typeof action === "string" && !action.startsWith("$") && routeKeys.has(action)) return action;
  }
  return routeKeys.has("$default") ? "$default" : undefined;
}
