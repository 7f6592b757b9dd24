/**
 * The route manifest: the single list of routes. The Api and Realtime stacks
 * create one function per entry and grant it exactly `table`; the local
 * runtime dispatches to the same handler modules. A route exists locally if
 * and only if it is deployed.
 */

/** The table actions a route may be granted. There is deliberately no Scan. */
export type TableAction =
  | "dynamodb:GetItem"
  | "dynamodb:Query"
  | "dynamodb:PutItem"
  | "dynamodb:UpdateItem"
  | "dynamodb:DeleteItem"
  | "dynamodb:BatchWriteItem"
  | "dynamodb:ConditionCheckItem"
  | "dynamodb:DescribeTable";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Secrets a function may read (SST Config.Secret, bound only to the functions that list it). */
export type SecretName = "ANTHROPIC_API_KEY";

/**
 * Response media types the REST API passes as bytes: a handler returns them
 * base64-encoded (`isBase64Encoded`), and API Gateway decodes them for a
 * request whose first `Accept` type matches one. Not the catch-all type: that
 * would make every request body binary too and break the CORS preflight's mock integration.
 */
export const binaryMediaTypes: readonly string[] = ["application/pdf"];

export interface HttpRoute {
  readonly method: HttpMethod;
  /** API Gateway path template, e.g. `/api/sessions/{id}`. */
  readonly path: `/${string}`;
  /** SST handler string: the module path from the repository root without extension, a dot, the export. */
  readonly handler: string;
  /** `none` is public; `user` needs a verified JWT; `apiKey` an API key; `userOrApiKey` either. */
  readonly auth: "none" | "user" | "apiKey" | "userOrApiKey";
  readonly table: readonly TableAction[];
  /** Whether the function posts to WebSocket connections through the `@connections` API. */
  readonly manageConnections?: boolean;
  readonly secrets?: readonly SecretName[];
  /** Overrides the stage's function timeout (API Gateway REST integrations end at 29 s unless streaming). */
  readonly timeoutSeconds?: number;
  /** Lambda response streaming through API Gateway's STREAM transfer mode (the handler is built with `stream: true`). */
  readonly stream?: boolean;
}

export interface WebSocketRoute {
  /** `$connect`, `$disconnect`, `$default` or an `action` value. */
  readonly routeKey: string;
  readonly handler: string;
  readonly table: readonly TableAction[];
  /** Whether the function posts to connections through the `@connections` API. */
  readonly manageConnections: boolean;
  /** Workers (by name) this route invokes asynchronously; each gets lambda:InvokeFunction on exactly those. */
  readonly invokes?: readonly WorkerName[];
  readonly secrets?: readonly SecretName[];
  /** `$connect` only: the Lambda REQUEST authorizer that admits the connection. */
  readonly authorizer?: WebSocketAuthorizer;
}

/**
 * Verifies the caller once, before `$connect` runs; API Gateway then passes
 * its `context` and `principalId` in `requestContext.authorizer` of every
 * event of the connection. It touches no table, so it is granted none.
 */
export interface WebSocketAuthorizer {
  readonly handler: string;
  /** The query-string parameter holding the credential (`route.request.querystring.<name>`); without it API Gateway answers 401 and never invokes the authorizer. */
  readonly identitySource: string;
}

/** A function no route calls directly: invoked asynchronously by the routes that name it. */
export interface WorkerFunction {
  readonly name: string;
  readonly handler: string;
  readonly table: readonly TableAction[];
  readonly manageConnections: boolean;
  /** Its own timeout, far past API Gateway's 29 s integration limit. */
  readonly timeoutSeconds: number;
  readonly secrets?: readonly SecretName[];
}

const read = ["dynamodb:GetItem", "dynamodb:Query"] as const;
/** Posting to a session's connections: find them, and forget one that is gone (410). */
const fanout = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchWriteItem"] as const;
/** Accepting a user message: rate counters, the message + session + idempotency + lock transaction, joining. */
const acceptMessage = [...read, "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:DeleteItem"] as const;
/** Running a turn: history, claiming and extending the lock, storing the reply, releasing the lock. */
const runTurn = [...read, "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:DeleteItem"] as const;

const unique = (...lists: readonly (readonly TableAction[])[]): TableAction[] => [...new Set(lists.flat())];

const httpRouteList = [
  { method: "GET", path: "/health", handler: "packages/functions/src/http/health/live.handler", auth: "none", table: [] },
  { method: "GET", path: "/health/ready", handler: "packages/functions/src/http/health/ready.handler", auth: "none", table: ["dynamodb:DescribeTable"] },
  // A questionnaire session reads its template (GetItem) to pin it.
  { method: "POST", path: "/api/sessions", handler: "packages/functions/src/http/sessions/create.handler", auth: "user", table: ["dynamodb:GetItem", "dynamodb:PutItem"] },
  { method: "GET", path: "/api/sessions", handler: "packages/functions/src/http/sessions/list.handler", auth: "user", table: ["dynamodb:Query"] },
  { method: "GET", path: "/api/sessions/{id}", handler: "packages/functions/src/http/sessions/get.handler", auth: "user", table: ["dynamodb:GetItem"] },
  {
    method: "DELETE",
    path: "/api/sessions/{id}",
    handler: "packages/functions/src/http/sessions/remove.handler",
    auth: "user",
    table: [...read, "dynamodb:BatchWriteItem", "dynamodb:DeleteItem"],
  },
  { method: "GET", path: "/api/sessions/{id}/messages", handler: "packages/functions/src/http/sessions/history.handler", auth: "user", table: read },
  {
    method: "POST",
    path: "/api/sessions/{id}/messages",
    handler: "packages/functions/src/http/sessions/send.handler",
    auth: "user",
    table: unique(acceptMessage, runTurn, fanout),
    manageConnections: true,
    // It runs a whole AI turn inside the request: give it all of API Gateway's 29 s.
    secrets: ["ANTHROPIC_API_KEY"],
    timeoutSeconds: 29,
  },
  { method: "POST", path: "/api/sessions/{id}/resume", handler: "packages/functions/src/http/sessions/resume.handler", auth: "user", table: [...read, "dynamodb:UpdateItem"] },
  { method: "POST", path: "/api/sessions/{id}/resolve", handler: "packages/functions/src/http/sessions/resolve.handler", auth: "user", table: ["dynamodb:GetItem", "dynamodb:UpdateItem"] },
  { method: "POST", path: "/api/sessions/{id}/end", handler: "packages/functions/src/http/sessions/end.handler", auth: "user", table: ["dynamodb:GetItem", "dynamodb:UpdateItem"] },
  { method: "POST", path: "/api/sessions/{id}/stop", handler: "packages/functions/src/http/sessions/stop.handler", auth: "user", table: ["dynamodb:GetItem", "dynamodb:UpdateItem"] },
  {
    method: "POST",
    path: "/api/sessions/{id}/messages/{messageId}/feedback",
    handler: "packages/functions/src/http/sessions/feedback.handler",
    auth: "user",
    table: ["dynamodb:GetItem", "dynamodb:PutItem"],
  },
  { method: "GET", path: "/api/sessions/{id}/export", handler: "packages/functions/src/http/sessions/export.handler", auth: "user", table: read },
  // The OpenAI-compatible API: callers are users (JWT) or machine clients (API key); both need the key check's Get/Update.
  {
    method: "POST",
    path: "/v1/chat/completions",
    handler: "packages/functions/src/http/v1/chat-completions.handler",
    auth: "userOrApiKey",
    // Usage counters (ADD), the optional thread append (a message + session transaction), the API key check.
    table: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"],
    secrets: ["ANTHROPIC_API_KEY"],
    // Streams through API Gateway's STREAM transfer mode, so a long reply is not cut at 29 s.
    stream: true,
    timeoutSeconds: 300,
  },
  { method: "GET", path: "/v1/models", handler: "packages/functions/src/http/v1/models.handler", auth: "userOrApiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem"] },
  { method: "GET", path: "/v1/models/{model}", handler: "packages/functions/src/http/v1/model.handler", auth: "userOrApiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem"] },
  // OpenAI's Responses API: a stored response is a turn of the caller's session, its record one GetItem from its id.
  {
    method: "POST",
    path: "/v1/responses",
    handler: "packages/functions/src/http/v1/responses/create.handler",
    auth: "userOrApiKey",
    // The previous response's record and its session (Query); the session's turn lock (a Put beside a ConditionCheck of the
    // session, renewed with Updates, released with a Delete); a new session, the messages, the session's counters and the
    // record; referenced items (Get); usage counters (ADD); the API key check.
    table: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"],
    secrets: ["ANTHROPIC_API_KEY"],
    // Streams like /v1/chat/completions: API Gateway's STREAM transfer mode, so a long reply is not cut at 29 s.
    stream: true,
    timeoutSeconds: 300,
  },
  { method: "GET", path: "/v1/responses/{id}", handler: "packages/functions/src/http/v1/responses/get.handler", auth: "userOrApiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem"] },
  {
    method: "DELETE",
    path: "/v1/responses/{id}",
    handler: "packages/functions/src/http/v1/responses/remove.handler",
    auth: "userOrApiKey",
    table: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
  },
  {
    method: "GET",
    path: "/v1/responses/{id}/input_items",
    handler: "packages/functions/src/http/v1/responses/input-items.handler",
    auth: "userOrApiKey",
    table: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"],
  },
  {
    method: "GET",
    path: "/api/usage",
    handler: "packages/functions/src/http/usage/report.handler",
    auth: "userOrApiKey",
    table: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"],
  },
  { method: "GET", path: "/api/sessions/{id}/okrs", handler: "packages/functions/src/http/sessions/okrs.handler", auth: "user", table: read },
  {
    method: "POST",
    path: "/api/sessions/{id}/transition",
    handler: "packages/functions/src/http/sessions/transition.handler",
    auth: "user",
    table: unique(read, fanout, ["dynamodb:PutItem", "dynamodb:UpdateItem"]),
    manageConnections: true,
  },
  // Generated documents, each in its owner's partition. Deleting removes its session marker too (one transaction).
  { method: "GET", path: "/api/documents", handler: "packages/functions/src/http/documents/list.handler", auth: "user", table: ["dynamodb:Query"] },
  { method: "GET", path: "/api/documents/{id}", handler: "packages/functions/src/http/documents/get.handler", auth: "user", table: ["dynamodb:GetItem"] },
  { method: "DELETE", path: "/api/documents/{id}", handler: "packages/functions/src/http/documents/remove.handler", auth: "user", table: ["dynamodb:GetItem", "dynamodb:DeleteItem"] },
  // State tracking for machine clients (API keys only). Every entry starts with GetItem + UpdateItem for the key check.
  { method: "POST", path: "/api/tracking/sessions", handler: "packages/functions/src/http/tracking/sessions/create.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"] },
  { method: "GET", path: "/api/tracking/sessions", handler: "packages/functions/src/http/tracking/sessions/list.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"] },
  { method: "GET", path: "/api/tracking/sessions/{id}", handler: "packages/functions/src/http/tracking/sessions/get.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem"] },
  { method: "PATCH", path: "/api/tracking/sessions/{id}", handler: "packages/functions/src/http/tracking/sessions/update.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"] },
  { method: "DELETE", path: "/api/tracking/sessions/{id}", handler: "packages/functions/src/http/tracking/sessions/remove.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem"] },
  { method: "POST", path: "/api/tracking/sessions/{id}/heartbeat", handler: "packages/functions/src/http/tracking/sessions/heartbeat.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"] },
  { method: "POST", path: "/api/tracking/tasks", handler: "packages/functions/src/http/tracking/tasks/create.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"] },
  { method: "GET", path: "/api/tracking/tasks", handler: "packages/functions/src/http/tracking/tasks/list.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"] },
  { method: "GET", path: "/api/tracking/tasks/{id}", handler: "packages/functions/src/http/tracking/tasks/get.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem"] },
  { method: "PATCH", path: "/api/tracking/tasks/{id}", handler: "packages/functions/src/http/tracking/tasks/update.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"] },
  { method: "DELETE", path: "/api/tracking/tasks/{id}", handler: "packages/functions/src/http/tracking/tasks/remove.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"] },
  { method: "POST", path: "/api/tracking/machines", handler: "packages/functions/src/http/tracking/machines/create.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"] },
  { method: "GET", path: "/api/tracking/machines", handler: "packages/functions/src/http/tracking/machines/list.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"] },
  { method: "GET", path: "/api/tracking/machines/{id}", handler: "packages/functions/src/http/tracking/machines/get.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem"] },
  { method: "PATCH", path: "/api/tracking/machines/{id}", handler: "packages/functions/src/http/tracking/machines/update.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem"] },
  { method: "DELETE", path: "/api/tracking/machines/{id}", handler: "packages/functions/src/http/tracking/machines/remove.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"] },
  { method: "POST", path: "/api/tracking/machines/{id}/heartbeat", handler: "packages/functions/src/http/tracking/machines/heartbeat.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem"] },
  { method: "POST", path: "/api/tracking/machines/{id}/slots", handler: "packages/functions/src/http/tracking/machines/claim.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem"] },
  { method: "DELETE", path: "/api/tracking/machines/{id}/slots/{sessionId}", handler: "packages/functions/src/http/tracking/machines/release.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem"] },
  { method: "GET", path: "/api/tracking/health", handler: "packages/functions/src/http/tracking/health.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"] },
  // Questionnaire templates: users read them; operators (API keys: GetItem + UpdateItem for the key check) put new versions and delete.
  { method: "GET", path: "/api/templates", handler: "packages/functions/src/http/templates/list.handler", auth: "user", table: ["dynamodb:Query"] },
  { method: "GET", path: "/api/templates/{id}", handler: "packages/functions/src/http/templates/get.handler", auth: "user", table: ["dynamodb:GetItem"] },
  // The head and the new version in one transaction (two Puts).
  { method: "PUT", path: "/api/templates/{id}", handler: "packages/functions/src/http/templates/put.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"] },
  { method: "DELETE", path: "/api/templates/{id}", handler: "packages/functions/src/http/templates/remove.handler", auth: "apiKey", table: ["dynamodb:GetItem", "dynamodb:UpdateItem"] },
  { method: "GET", path: "/api/openapi.json", handler: "packages/functions/src/http/openapi/document.handler", auth: "none", table: [] },
  { method: "GET", path: "/api/docs", handler: "packages/functions/src/http/openapi/docs.handler", auth: "none", table: [] },
] as const satisfies readonly HttpRoute[];

export const httpRoutes: readonly HttpRoute[] = httpRouteList;

type ManifestHttpRoutes = { [Route in (typeof httpRouteList)[number] as `${Route["method"]} ${Route["path"]}`]: Route };

/** `"GET /api/sessions/{id}"`: a route the manifest declares. A handler names its route by it. */
export type HttpRouteKey = keyof ManifestHttpRoutes;

/** The auth mode the manifest gives a route. */
export type HttpRouteAuth<Key extends HttpRouteKey> = ManifestHttpRoutes[Key]["auth"];

export const workers = [
  {
    name: "turn",
    handler: "packages/functions/src/worker/turn.handler",
    table: unique(runTurn, fanout),
    manageConnections: true,
    timeoutSeconds: 300,
    secrets: ["ANTHROPIC_API_KEY"],
  },
  {
    // Opens a questionnaire for a connection opened with ?templateId=: finds or starts the session, joins, asks.
    name: "questionnaire",
    handler: "packages/functions/src/worker/questionnaire.handler",
    table: unique(read, fanout, ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem", "dynamodb:BatchWriteItem"]),
    manageConnections: true,
    timeoutSeconds: 30,
    secrets: [] as SecretName[],
  },
] as const satisfies readonly WorkerFunction[];
export type WorkerName = (typeof workers)[number]["name"];

/** Route selection is on `$request.body.action`; frames no route matches go to `$default`. */
export const webSocketRoutes: readonly WebSocketRoute[] = [
  {
    routeKey: "$connect",
    handler: "packages/functions/src/ws/connect.handler",
    table: ["dynamodb:PutItem"],
    manageConnections: false,
    // ?templateId=: the questionnaire worker opens the questionnaire once the connection is open.
    invokes: ["questionnaire"],
    authorizer: { handler: "packages/functions/src/ws/authorize.handler", identitySource: "token" },
  },
  { routeKey: "$disconnect", handler: "packages/functions/src/ws/disconnect.handler", table: ["dynamodb:GetItem", "dynamodb:BatchWriteItem"], manageConnections: false },
  // Also takes the classic questionnaire protocol's user_message frames: a send_message to the connection's session.
  { routeKey: "$default", handler: "packages/functions/src/ws/default.handler", table: unique(acceptMessage, fanout, ["dynamodb:GetItem"]), manageConnections: true, invokes: ["turn"] },
  {
    routeKey: "join_session",
    handler: "packages/functions/src/ws/join.handler",
    // The join's transaction checks the session and the turn lock (ConditionCheck) beside its writes.
    table: unique(read, fanout, ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"]),
    manageConnections: true,
  },
  {
    routeKey: "leave_session",
    handler: "packages/functions/src/ws/leave.handler",
    table: unique(fanout, ["dynamodb:DeleteItem", "dynamodb:UpdateItem"]),
    manageConnections: true,
  },
  {
    routeKey: "send_message",
    handler: "packages/functions/src/ws/send.handler",
    table: unique(acceptMessage, fanout),
    manageConnections: true,
    invokes: ["turn"],
  },
  { routeKey: "get_session_status", handler: "packages/functions/src/ws/status.handler", table: unique(read, fanout), manageConnections: true },
  { routeKey: "stop_generation", handler: "packages/functions/src/ws/stop.handler", table: unique(read, fanout, ["dynamodb:UpdateItem"]), manageConnections: true },
  { routeKey: "ping", handler: "packages/functions/src/ws/ping.handler", table: fanout, manageConnections: true },
];

export const httpRouteKey = (route: Pick<HttpRoute, "method" | "path">): string => `${route.method} ${route.path}`;

/** The manifest entry a handler serves, by the key it names. */
export function httpRouteOf(key: HttpRouteKey): HttpRoute {
  const route = httpRoutes.find((candidate) => httpRouteKey(candidate) === key);
  // Unreachable while the key type-checks; a stale build could still get here.
  if (!route) throw new Error(`${key} is not in the route manifest`);
  return route;
}

/** `packages/x/src/y.handler` → `{ modulePath: "packages/x/src/y", exportName: "handler" }` */
export function parseHandler(handler: string): { modulePath: string; exportName: string } {
  const dot = handler.lastIndexOf(".");
  return { modulePath: handler.slice(0, dot), exportName: handler.slice(dot + 1) };
}
