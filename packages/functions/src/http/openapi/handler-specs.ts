import { httpRouteKey, httpRoutes, parseHandler, type HttpRoute } from "../../manifest";
import type { DocumentedSpec } from "./generate";

const repoRoot = new URL("../../../../../", import.meta.url);

interface DocumentedHandler {
  routeKey: string;
  spec: DocumentedSpec;
}

const isDocumentedHandler = (value: unknown): value is DocumentedHandler =>
  typeof value === "function" &&
  "routeKey" in value &&
  typeof value.routeKey === "string" &&
  "spec" in value &&
  typeof value.spec === "object" &&
  value.spec !== null;

/**
 * The spec of a manifest route, read from its handler module (imported by
 * the path the manifest gives, as the local runtime does). The handler must
 * be an `httpRoute` (or `staticRoute`) naming this very route.
 */
export async function handlerSpecOf(route: HttpRoute): Promise<DocumentedSpec> {
  const { modulePath, exportName } = parseHandler(route.handler);
  const module: Record<string, unknown> = await import(new URL(`${modulePath}.ts`, repoRoot).href);
  const handler = module[exportName];
  const key = httpRouteKey(route);
  if (!isDocumentedHandler(handler)) throw new Error(`${key}: ${route.handler} is not an httpRoute (no routeKey and spec to document)`);
  if (handler.routeKey !== key) throw new Error(`${key}: ${route.handler} names the route ${handler.routeKey}`);
  return handler.spec;
}

/** Every manifest route's spec, by route key. */
export async function handlerSpecs(routes: readonly HttpRoute[] = httpRoutes): Promise<Map<string, DocumentedSpec>> {
  const specs = new Map<string, DocumentedSpec>();
  for (const route of routes) specs.set(httpRouteKey(route), await handlerSpecOf(route));
  return specs;
}
