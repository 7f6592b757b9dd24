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

export interface HttpRoute {
  readonly method: HttpMethod;
  /** API Gateway path template, e.g. `/api/sessions/{id}`. */
  readonly path: `/${string}`;
  /** SST handler string: the module path from the repository root without extension, a dot, the export. */
  readonly handler: string;
  /** `none` is public; `user` needs a verified JWT. */
  readonly auth: "none" | "user";
  readonly table: readonly TableAction[];
}

export interface WebSocketRoute {
  /** `$connect`, `$disconnect`, `$default` or an `action` value. */
  readonly routeKey: string;
  readonly handler: string;
  readonly table: readonly TableAction[];
  /** Whether the function posts to connections through the `@connections` API. */
  readonly manageConnections: boolean;
}

const read = ["dynamodb:GetItem", "dynamodb:Query"] as const;

export const httpRoutes: readonly HttpRoute[] = [
  { method: "GET", path: "/health", handler: "packages/functions/src/http/health/live.handler", auth: "none", table: [] },
  { method: "GET", path: "/health/ready", handler: "packages/functions/src/http/health/ready.handler", auth: "none", table: ["dynamodb:DescribeTable"] },
  { method: "POST", path: "/api/sessions", handler: "packages/functions/src/http/sessions/create.handler", auth: "user", table: ["dynamodb:PutItem"] },
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
  { method: "POST", path: "/api/sessions/{id}/resume", handler: "packages/functions/src/http/sessions/resume.handler", auth: "user", table: [...read, "dynamodb:UpdateItem"] },
  { method: "POST", path: "/api/sessions/{id}/resolve", handler: "packages/functions/src/http/sessions/resolve.handler", auth: "user", table: ["dynamodb:GetItem", "dynamodb:UpdateItem"] },
  { method: "POST", path: "/api/sessions/{id}/end", handler: "packages/functions/src/http/sessions/end.handler", auth: "user", table: ["dynamodb:GetItem", "dynamodb:UpdateItem"] },
  {
    method: "POST",
    path: "/api/sessions/{id}/messages/{messageId}/feedback",
    handler: "packages/functions/src/http/sessions/feedback.handler",
    auth: "user",
    table: ["dynamodb:GetItem", "dynamodb:PutItem"],
  },
  { method: "GET", path: "/api/sessions/{id}/export", handler: "packages/functions/src/http/sessions/export.handler", auth: "user", table: read },
];

/** The realtime issue fills this; the Realtime stack and the local runtime already read it. */
export const webSocketRoutes: readonly WebSocketRoute[] = [];

export const httpRouteKey = (route: Pick<HttpRoute, "method" | "path">): string => `${route.method} ${route.path}`;

/** `packages/x/src/y.handler` → `{ modulePath: "packages/x/src/y", exportName: "handler" }` */
export function parseHandler(handler: string): { modulePath: string; exportName: string } {
  const dot = handler.lastIndexOf(".");
  return { modulePath: handler.slice(0, dot), exportName: handler.slice(dot + 1) };
}
