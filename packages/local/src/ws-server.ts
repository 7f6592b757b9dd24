import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { config } from "@coach/core/config";
import { authorizerDecision, UNAUTHORIZED_BODY } from "./authorizer-policy";
import { refuseUpgrade, throttledFrame } from "./refusals";
import { connectionsPath, MAX_MESSAGE_BYTES, serveConnections, type ManagedConnection } from "./connections-api";
import { lambdaContext } from "./lambda-context";
import { invocationsPath, serveInvoke, type WorkerFunction } from "./lambda-api";
import { loadHandler } from "./route-table";
import { defaultThrottle, FunctionConcurrency, TokenBucket, type ThrottleSettings } from "./throttle";
import { serverTimeouts } from "./server-timeouts";
import {
  authorizerEvent,
  connectEvent,
  disconnectEvent,
  gatewayId,
  messageEvent,
  selectRoute,
  sourceIp,
  type AuthorizerContext,
  type ConnectionFacts,
  type WebSocketConnectEvent,
} from "./ws-event";

/**
 * The local API Gateway WebSocket API, its `@connections` management API and
 * Lambda's Invoke API for the worker functions, on one HTTP server:
 *
 *   ws://127.0.0.1:port                         the WebSocket API (any path)
 *   http://127.0.0.1:port/<stage>/@connections  ApiGatewayManagementApiClient's endpoint
 *   http://127.0.0.1:port                       LambdaClient's endpoint
 *
 * Handlers run in this process, loaded from the manifest like the REST routes.
 * Each route and worker is one function with Lambda's concurrency limit, and
 * each connection's frames pass a token bucket before any handler runs: a
 * frame refused by either gets `session_error rate_limited` (retryable, with
 * `retryAfter`), so one client's flood never queues work behind everyone's.
 *
 * A `$connect` authorizer runs at the upgrade, before `$connect`: without
 * its identity source the upgrade is refused with 401 unheard, its
 * `Unauthorized` is a 401, a policy that does not allow `$connect` a 403,
 * any other failure a 500. What it allows carries its `context` and
 * `principalId` in `requestContext.authorizer` of every event of the
 * connection.
 */

export interface WebSocketServerOptions {
  /** 0: any free port. */
  port: number;
  stage: string;
  /** No frame from the client for this long closes the connection with 1001 (API Gateway: 600). */
  idleTimeoutSeconds: number;
  /** A connection is closed with 1001 after this long (API Gateway: 7200). */
  maxDurationSeconds: number;
  log(line: string): void;
  /** `$connect` may name a Lambda REQUEST authorizer, run before it as API Gateway does. */
  routes: readonly { routeKey: string; handler: string; authorizer?: { handler: string; identitySource: string } }[];
  workers: readonly WorkerFunction[];
  /** Default: `defaultThrottle`. */
  throttle?: ThrottleSettings;
}

export interface LocalWebSocketServer {
  port: number;
  /** `ws://127.0.0.1:port`, what clients connect to. */
  url: string;
  /** `http://127.0.0.1:port/<stage>`, the `endpoint` for ApiGatewayManagementApiClient. */
  managementEndpoint: string;
  /** `http://127.0.0.1:port`, the `endpoint` for LambdaClient. */
  lambdaEndpoint: string;
  /** Open connections. */
  connectionCount(): number;
  /** PostToConnection requests received so far (what API Gateway would bill and throttle), for tests and `pnpm bench`. */
  postCount(): number;
  /** Closes every connection (each gets its `$disconnect`), then the server. */
  stop(): Promise<void>;
}

/** What a Lambda proxy integration returns to API Gateway. */
interface IntegrationResult {
  statusCode?: unknown;
  body?: unknown;
  headers?: Record<string, unknown>;
}

interface Connection extends ManagedConnection {
  readonly facts: ConnectionFacts;
  readonly ws: WebSocket;
  lastActiveAt: number;
  /** Set once the server closes it (DeleteConnection, timeouts, shutdown, oversized message). */
  closing?: { code: number; reason: string };
  /** Resolves after its `$disconnect` has run. */
  readonly disconnected: Promise<void>;
  timers: NodeJS.Timeout[];
  readonly frames: TokenBucket;
  /** Frames are being refused now: logged once per spell, not per frame. */
  throttled: boolean;
}

const SHUTDOWN_GRACE_MS = 3_000;
/** How long a server-side close waits for the client's close frame before dropping the socket. */
const CLOSE_HANDSHAKE_MS = 1_000;

export async function startWebSocketServer(options: WebSocketServerOptions): Promise<LocalWebSocketServer> {
  const { stage, log } = options;
  const routes = new Map(options.routes.map((route) => [route.routeKey, route.handler]));
  const connectAuthorizer = options.routes.find((route) => route.routeKey === "$connect")?.authorizer;
  const routeKeys: ReadonlySet<string> = new Set(routes.keys());
  /** Open connections, by id: what `@connections` can reach. */
  const open = new Map<string, Connection>();
  /** Every connection whose `$disconnect` has not run yet. */
  const live = new Set<Connection>();
  /** Handler invocations still running, so that stop() can let them finish. */
  const inFlight = new Set<Promise<unknown>>();
  const protocols = new WeakMap<IncomingMessage, string>();
  const throttle = options.throttle ?? defaultThrottle;
  const routeFunctions = new FunctionConcurrency(throttle.functionConcurrency);
  const workerFunctions = new FunctionConcurrency(throttle.functionConcurrency);
  let stopping = false;
  let domainName = "127.0.0.1";

  const track = (invocation: Promise<unknown>) => {
    const settled = invocation.then(
      () => undefined,
      () => undefined,
    );
    inFlight.add(settled);
    void settled.then(() => inFlight.delete(settled));
  };

  /** `undefined`: the route's function is throttled (never when `mayThrottle` is false) and the handler does not run. */
  function invokeRoute(
    routeKey: string,
    event: { requestContext: { connectionId: string } },
    mayThrottle = true,
  ): Promise<IntegrationResult | undefined> | undefined {
    const invocation = invokeFunction(routeKey, routes.get(routeKey)!, event, mayThrottle, (result) =>
      String((result && typeof result === "object" ? (result as IntegrationResult).statusCode : undefined) ?? "-"),
    );
    return invocation?.then((result) => (result && typeof result === "object" ? (result as IntegrationResult) : undefined));
  }

  /** `undefined`: the function is throttled (never when `mayThrottle` is false) and the handler does not run. */
  function invokeFunction(
    name: string,
    handlerName: string,
    event: { requestContext: { connectionId: string } },
    mayThrottle: boolean,
    outcome: (result: unknown) => string,
  ): Promise<unknown> | undefined {
    const run = async () => {
      const started = performance.now();
      const handler = await loadHandler(handlerName);
      const result = await handler(event, lambdaContext(handlerName));
      log(`ws ${name} ${event.requestContext.connectionId} → ${outcome(result)} (${(performance.now() - started).toFixed(1)} ms)`);
      return result;
    };
    const limit = routeFunctions.of(name);
    const invocation = mayThrottle ? limit.tryRun(run, event.requestContext.connectionId) : limit.run(run);
    if (invocation) track(invocation);
    return invocation;
  }

  /** API Gateway's REQUEST authorizer step: the connection's authorizer context, or the status and body the upgrade is refused with. */
  async function authorize(
    authorizer: { handler: string; identitySource: string },
    connect: WebSocketConnectEvent,
    url: URL,
  ): Promise<{ allowed: AuthorizerContext } | { refused: number; body: string }> {
    const { connectionId, apiId, stage: stageName } = connect.requestContext;
    if (!url.searchParams.get(authorizer.identitySource)) return { refused: 401, body: UNAUTHORIZED_BODY };
    const methodArn = `arn:aws:execute-api:${config().table.region}:000000000000:${apiId}/${stageName}/$connect`;
    const effect = (answer: unknown) => {
      const decision = authorizerDecision(answer, methodArn);
      return "invalid" in decision ? "an invalid answer" : decision.allowed ? "Allow" : "Deny";
    };
    const invocation = invokeFunction("$connect authorizer", authorizer.handler, authorizerEvent(connect, methodArn), true, effect);
    if (!invocation) return { refused: 429, body: JSON.stringify({ message: "Too Many Requests" }) };
    let answer: unknown;
    try {
      answer = await invocation;
    } catch (error) {
      if (error instanceof Error && error.message === "Unauthorized") {
        log(`ws $connect authorizer ${connectionId} → Unauthorized`);
        return { refused: 401, body: UNAUTHORIZED_BODY };
      }
      log(`ws $connect authorizer ${connectionId} failed: ${describe(error)}`);
      return { refused: 500, body: INTERNAL_ERROR_BODY };
    }
    const decision = authorizerDecision(answer, methodArn);
    if ("invalid" in decision) {
      log(`ws $connect authorizer ${connectionId} answered an invalid result: ${decision.invalid}`);
      return { refused: 500, body: INTERNAL_ERROR_BODY };
    }
    return decision.allowed ? { allowed: decision.context } : { refused: 403, body: JSON.stringify({ message: "Forbidden" }) };
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    // API Gateway answers with the subprotocol `$connect` returned in `Sec-WebSocket-Protocol`, or none.
    handleProtocols: (offered, request) => {
      const chosen = protocols.get(request);
      return chosen !== undefined && offered.has(chosen) ? chosen : false;
    },
  });

  const server = createServer(serverTimeouts, (request, response) => {
    serveHttp(request, response).catch((error: unknown) => {
      log(`local websocket runtime error: ${describe(error)}`);
      if (!response.headersSent) {
        response.writeHead(500, { "content-type": "application/json" });
        response.end(JSON.stringify({ message: "Internal server error" }));
      } else response.destroy();
    });
  });

  let posts = 0;

  async function serveHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const connectionId = connectionsPath(url.pathname, stage);
    if (connectionId !== undefined) {
      if (request.method === "POST") posts++;
      return serveConnections(request, response, connectionId, { stage, connection: (id) => open.get(id) });
    }
    const functionName = invocationsPath(url.pathname);
    if (functionName !== undefined) {
      return serveInvoke(request, response, functionName, { workers: options.workers, log, track, concurrency: workerFunctions });
    }
    request.resume();
    const upgradeRequired = url.pathname === "/" || url.pathname.replace(/\/$/, "") === `/${stage}`;
    response.writeHead(upgradeRequired ? 426 : 404, { "content-type": "application/json" });
    response.end(JSON.stringify({ message: upgradeRequired ? "Upgrade Required" : "Not Found" }));
  }

  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client that goes away during $connect must not crash the server.
    socket.on("error", () => undefined);
    upgrade(request, socket, head).catch((error: unknown) => {
      log(`ws upgrade failed: ${describe(error)}`);
      refuseUpgrade(socket, 500, JSON.stringify({ message: "Internal server error" }));
    });
  });

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (stopping) return refuseUpgrade(socket, 503, JSON.stringify({ message: "Service Unavailable" }));
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const facts: ConnectionFacts = {
      connectionId: gatewayId(),
      connectedAt: Date.now(),
      identity: { sourceIp: sourceIp(request), ...(request.headers["user-agent"] ? { userAgent: request.headers["user-agent"] } : {}) },
      stage,
      domainName,
      apiId: "local",
    };
    // The authorizer and $connect see one request: the same request context.
    let connect = connectEvent(request, url, facts);
    if (connectAuthorizer) {
      const authorization = await authorize(connectAuthorizer, connect, url);
      if ("refused" in authorization) return refuseUpgrade(socket, authorization.refused, authorization.body);
      facts.authorizer = authorization.allowed;
      connect = { ...connect, requestContext: { ...connect.requestContext, authorizer: { ...authorization.allowed } } };
    }
    let connectAccepted = false;
    if (routes.has("$connect")) {
      let result: IntegrationResult | undefined;
      const invocation = invokeRoute("$connect", connect);
      if (!invocation) return refuseUpgrade(socket, 429, JSON.stringify({ message: "Too Many Requests" }));
      try {
        result = await invocation;
      } catch (error) {
        log(`ws $connect ${facts.connectionId} failed: ${describe(error)}`);
        return refuseUpgrade(socket, 500, INTERNAL_ERROR_BODY);
      }
      // A result without a status code is taken as success, as API Gateway takes a proxy integration's.
      const status = typeof result?.statusCode === "number" ? result.statusCode : 200;
      if (status < 200 || status > 299) return refuseUpgrade(socket, status, typeof result?.body === "string" ? result.body : "");
      const protocol = headerOf(result, "sec-websocket-protocol");
      if (protocol) protocols.set(request, protocol.split(",")[0]!.trim());
      connectAccepted = true;
    }
    if (stopping || !socket.readable || !socket.writable || socket.destroyed) {
      // The client left (or we are stopping) while $connect ran: it never opens, but $connect may have stored state.
      socket.destroy();
      if (connectAccepted) await runDisconnect(facts, 1006, "Client left before the connection opened");
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, facts));
  }

  function accept(ws: WebSocket, facts: ConnectionFacts): void {
    let markDisconnected!: () => void;
    const disconnected = new Promise<void>((resolve) => (markDisconnected = resolve));
    const connection: Connection = {
      facts,
      ws,
      connectedAt: facts.connectedAt,
      lastActiveAt: facts.connectedAt,
      identity: facts.identity,
      disconnected,
      timers: [],
      frames: new TokenBucket(throttle.frameRatePerSecond, throttle.frameBurst),
      throttled: false,
      send: (data) =>
        new Promise<void>((resolve, reject) => {
          if (connection.closing || ws.readyState !== ws.OPEN) return reject(new Error("gone"));
          ws.send(data, { binary: false }, (error) => (error ? reject(error) : resolve()));
        }),
      close: () => closeConnection(connection, 1000, ""),
    };
    open.set(facts.connectionId, connection);
    live.add(connection);

    const idle = setTimeout(() => closeConnection(connection, 1001, "Going away"), options.idleTimeoutSeconds * 1000);
    const maxDuration = setTimeout(() => closeConnection(connection, 1001, "Going away"), options.maxDurationSeconds * 1000);
    connection.timers.push(idle, maxDuration);
    const touch = () => {
      connection.lastActiveAt = Date.now();
      idle.refresh();
    };

    ws.on("message", (data: RawData, isBinary: boolean) => {
      touch();
      onMessage(connection, toBuffer(data), isBinary);
    });
    ws.on("ping", touch);
    ws.on("error", (error: Error & { code?: string }) => {
      if (error.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
        // ws has already sent the close frame with 1009, as API Gateway does for a message over 128 KB.
        markClosing(connection, 1009, "Message too big");
        log(`ws ${facts.connectionId}: message over ${MAX_MESSAGE_BYTES} bytes, closed with 1009`);
      } else log(`ws ${facts.connectionId} error: ${error.message}`);
    });
    ws.once("close", (code: number, reason: Buffer) => {
      markClosing(connection, code, reason.toString("utf8"));
      const closing = connection.closing!;
      void runDisconnect(facts, closing.code, closing.reason).finally(() => {
        live.delete(connection);
        markDisconnected();
      });
    });
  }

  function onMessage(connection: Connection, data: Buffer, isBinary: boolean): void {
    const { facts } = connection;
    const body = isBinary ? data.toString("base64") : data.toString("utf8");
    const admitted = connection.frames.take();
    if (!admitted.ok) {
      if (!connection.throttled) log(`ws ${facts.connectionId}: over ${throttle.frameRatePerSecond} frames/s, refusing frames`);
      connection.throttled = true;
      return refuseFrame(connection, isBinary ? undefined : body, admitted.retryAfter, "Too many frames on this connection; slow down");
    }
    connection.throttled = false;
    const routeKey = selectRoute(isBinary ? undefined : body, routeKeys);
    if (!routeKey) {
      sendFrame(connection, JSON.stringify({ message: "Forbidden", connectionId: facts.connectionId, requestId: gatewayId() }));
      return;
    }
    const event = messageEvent(facts, routeKey, body, isBinary);
    const invocation = invokeRoute(routeKey, event);
    if (!invocation) {
      log(`ws ${routeKey} ${facts.connectionId}: function at its concurrency limit, frame throttled`);
      return refuseFrame(connection, isBinary ? undefined : body, 1, "The server is busy; try again shortly");
    }
    invocation.then(
      (result) => {
        // A two-way route's response: only when the handler returned a body.
        if (typeof result?.body === "string" && result.body.length > 0) sendFrame(connection, result.body);
      },
      (error: unknown) => {
        log(`ws ${routeKey} ${facts.connectionId} failed: ${describe(error)}`);
        sendFrame(connection, JSON.stringify({ message: "Internal server error", connectionId: facts.connectionId, requestId: event.requestContext.requestId }));
      },
    );
  }

  function refuseFrame(connection: Connection, body: string | undefined, retryAfter: number, message: string): void {
    sendFrame(connection, throttledFrame(body, retryAfter, message));
  }

  function sendFrame(connection: Connection, text: string): void {
    if (!connection.closing && connection.ws.readyState === connection.ws.OPEN) connection.ws.send(text);
  }

  /** The connection is no longer reachable through `@connections`; the first reason given sticks. */
  function markClosing(connection: Connection, code: number, reason: string): void {
    connection.closing ??= { code, reason };
    if (open.get(connection.facts.connectionId) === connection) open.delete(connection.facts.connectionId);
    for (const timer of connection.timers) clearTimeout(timer);
  }

  function closeConnection(connection: Connection, code: number, reason: string): void {
    if (connection.closing) return;
    markClosing(connection, code, reason);
    connection.ws.close(code, reason);
    // A client that never answers the close frame is dropped, as API Gateway does.
    const drop = setTimeout(() => connection.ws.terminate(), CLOSE_HANDSHAKE_MS);
    connection.ws.once("close", () => clearTimeout(drop));
  }

  async function runDisconnect(facts: ConnectionFacts, code: number, reason: string): Promise<void> {
    if (!routes.has("$disconnect")) return;
    try {
      await invokeRoute("$disconnect", disconnectEvent(facts, code, reason), false);
    } catch (error) {
      log(`ws $disconnect ${facts.connectionId} failed: ${describe(error)}`);
    }
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  domainName = `127.0.0.1:${port}`;

  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    managementEndpoint: `http://127.0.0.1:${port}/${stage}`,
    lambdaEndpoint: `http://127.0.0.1:${port}`,
    connectionCount: () => open.size,
    postCount: () => posts,
    stop: async () => {
      if (stopping) return;
      stopping = true;
      for (const connection of [...open.values()]) closeConnection(connection, 1001, "Going away");
      await within(SHUTDOWN_GRACE_MS, Promise.all([...live].map((connection) => connection.disconnected)));
      await within(SHUTDOWN_GRACE_MS, Promise.all([...inFlight]));
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

const INTERNAL_ERROR_BODY = JSON.stringify({ message: "Internal server error" });

function headerOf(result: IntegrationResult | undefined, name: string): string | undefined {
  for (const [key, value] of Object.entries(result?.headers ?? {})) if (key.toLowerCase() === name && value != null) return String(value);
  return undefined;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function within(ms: number, promise: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void promise.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
