import { fileURLToPath, pathToFileURL } from "node:url";
import { join } from "node:path";
import { httpRoutes, parseHandler, type HttpRoute } from "@coach/functions/manifest";
import { installLambdaStreaming } from "./lambda-streaming";

/** Matches request paths against the manifest's API Gateway path templates. */
export interface MatchedRoute {
  route: HttpRoute;
  pathParameters: Record<string, string> | null;
}

const compiled = httpRoutes.map((route) => {
  const names: string[] = [];
  const source = route.path
    .split("/")
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param?.[1]) return segment.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
      names.push(param[1]);
      return "([^/]+)";
    })
    .join("/");
  return { route, names, pattern: new RegExp(`^${source}/?$`) };
});

/**
 * The path of a request target exactly as sent. API Gateway matches resources
 * on it without resolving dot segments, so `/a/b/..` (or `%2e%2e`) is a
 * request for `/a/b/{x}`, never for `/a`: resolving them (as `new URL` does)
 * would run one route's handler for another route's URL.
 */
export function requestPath(target: string): string {
  const path = target.replace(/^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i, "").split(/[?#]/, 1)[0] ?? "";
  return path.startsWith("/") ? path : `/${path}`;
}

/** `path` as sent (see `requestPath`). `undefined`: no such path. An empty list of methods never happens. */
export function matchRoute(method: string, path: string): MatchedRoute | { allowed: string[] } | undefined {
  const candidates = compiled.filter((entry) => entry.pattern.test(path));
  if (candidates.length === 0) return undefined;
  const hit = candidates.find((entry) => entry.route.method === method);
  if (!hit) return { allowed: candidates.map((entry) => entry.route.method) };
  const values = hit.pattern.exec(path)!.slice(1);
  const pathParameters = hit.names.length
    ? Object.fromEntries(hit.names.map((name, i) => [name, safeDecode(values[i] ?? "")]))
    : null;
  return { route: hit.route, pathParameters };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const loaded = new Map<string, Promise<(...args: unknown[]) => Promise<unknown>>>();

/** The handler function of a manifest entry, imported once like a warm Lambda. */
export function loadHandler(handler: string) {
  let pending = loaded.get(handler);
  if (!pending) {
    installLambdaStreaming();
    const { modulePath, exportName } = parseHandler(handler);
    pending = import(pathToFileURL(join(repoRoot, `${modulePath}.ts`)).href).then((module: Record<string, unknown>) => {
      const fn = module[exportName];
      if (typeof fn !== "function") throw new Error(`${handler}: no exported function ${exportName}`);
      return fn as (...args: unknown[]) => Promise<unknown>;
    });
    loaded.set(handler, pending);
  }
  return pending;
}
