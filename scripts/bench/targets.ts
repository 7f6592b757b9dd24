import { httpRouteKey, httpRoutes, parseHandler, webSocketRoutes, workers, type HttpMethod } from "@coach/functions/manifest";

/** One deployed function of the route manifest, keyed by its route (or, for a worker, `worker <name>`). */
export type BenchTarget =
  | { kind: "http"; key: string; method: HttpMethod; path: string; handler: string; modulePath: string; exportName: string }
  | { kind: "ws"; key: string; routeKey: string; handler: string; modulePath: string; exportName: string }
  | { kind: "worker"; key: string; name: string; handler: string; modulePath: string; exportName: string };

export const workerKey = (name: string): string => `worker ${name}`;

/** Every HTTP and WebSocket route and every worker of the manifest, in manifest order. */
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
  const workerTargets = workers.map((worker): BenchTarget => ({
    kind: "worker",
    key: workerKey(worker.name),
    name: worker.name,
    handler: worker.handler,
    ...parseHandler(worker.handler),
  }));
  return [...http, ...ws, ...workerTargets];
}

/** The manifest's `table` grants of a route or worker, for the calls-vs-grants cross-check. */
export function grantsOf(key: string): readonly string[] | undefined {
  const http = httpRoutes.find((route) => httpRouteKey(route) === key);
  if (http) return http.table;
  const worker = workers.find((candidate) => workerKey(candidate.name) === key);
  if (worker) return worker.table;
  return webSocketRoutes.find((route) => `WS ${route.routeKey}` === key)?.table;
}
