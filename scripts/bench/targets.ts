import { httpRouteKey, httpRoutes, parseHandler, webSocketRoutes, type HttpMethod } from "@coach/functions/manifest";

/** One deployed function of the route manifest, keyed by its route. */
export type BenchTarget =
  | { kind: "http"; key: string; method: HttpMethod; path: string; handler: string; modulePath: string; exportName: string }
  | { kind: "ws"; key: string; routeKey: string; handler: string; modulePath: string; exportName: string };

/** Every HTTP and WebSocket route of the manifest, in manifest order. */
export function manifestTargets(): BenchTarget[] {
  const http = httpRoutes.map((route): BenchTarget => ({
    kind: "http",
    key: httpRouteKey(route),
    method: route.method,
    path: route.path,
    handler: route.handler,
    ...parseHandler(route.handler),
  }));
  const ws = webSocketRoutes.map((route): BenchTarget => ({
    kind: "ws",
    key: `WS ${route.routeKey}`,
    routeKey: route.routeKey,
    handler: route.handler,
    ...parseHandler(route.handler),
  }));
  return [...http, ...ws];
}

/** The manifest's `table` grants of a route, for the calls-vs-grants cross-check. */
export function grantsOf(key: string): readonly string[] | undefined {
  const http = httpRoutes.find((route) => httpRouteKey(route) === key);
  if (http) return http.table;
  return webSocketRoutes.find((route) => `WS ${route.routeKey}` === key)?.table;
}
