import { beforeAll, describe, expect, it } from "vitest";
import { httpRouteKey, httpRoutes, parseHandler, webSocketRoutes } from "../packages/functions/src/manifest";
import { getAttTarget, isSstCustomResourceHandler, resources, restMethods, synthesize, type Synthesized } from "./testing";

/**
 * The deployed routes are the manifest: every `httpRoutes` entry is exactly
 * one REST method backed by its own function running the entry's handler,
 * and the API has nothing else. Synthesized with `app.finish()`, so the
 * handlers are really bundled and the Handler property is SST's real one.
 */
describe("deployed routes equal the route manifest", () => {
  let synth: Synthesized;
  beforeAll(async () => {
    synth = await synthesize("dev", { build: true });
  }, 120_000);

  it("has exactly one REST method per manifest entry and no other method", () => {
    const deployed = [...restMethods(synth.api).keys()].sort();
    expect(deployed).toEqual(httpRoutes.map(httpRouteKey).sort());
  });

  it("backs each method with its own function running the manifest handler", () => {
    const methods = restMethods(synth.api);
    const functions = resources(synth.api, "AWS::Lambda::Function");
    const used = new Set<string>();
    for (const route of httpRoutes) {
      const key = httpRouteKey(route);
      const method = methods.get(key);
      expect(method, key).toBeDefined();
      const integration = method?.Properties?.Integration as { Type: string; Uri: unknown };
      expect(integration.Type, key).toBe("AWS_PROXY");
      const functionId = getAttTarget(integration.Uri);
      expect(functionId, key).toBeDefined();
      const fn = functions.get(functionId ?? "");
      // SST bundles `packages/x/y.handler` to `packages/x/y.mjs` and keeps the path and export.
      expect(fn?.Properties?.Handler, key).toBe(route.handler);
      expect(used.has(functionId ?? ""), `${key} shares a function`).toBe(false);
      used.add(functionId ?? "");
    }
    const orphans = [...functions.keys()].filter((id) => !used.has(id) && !isSstCustomResourceHandler(id));
    expect(orphans).toEqual([]);
  });

  it("leaves every method open at the gateway: handlers verify the JWT themselves", () => {
    for (const [key, method] of restMethods(synth.api)) {
      expect(method.Properties?.AuthorizationType, key).toBe("NONE");
    }
  });

  it("deploys a WebSocket API exactly when the manifest has WebSocket routes", () => {
    const apis = resources(synth.realtime, "AWS::ApiGatewayV2::Api");
    const routes = [...resources(synth.realtime, "AWS::ApiGatewayV2::Route").values()].map((route) => route.Properties?.RouteKey);
    expect(apis.size).toBe(webSocketRoutes.length === 0 ? 0 : 1);
    expect(routes.sort()).toEqual(webSocketRoutes.map((route) => route.routeKey).sort());
  });

  it("points every manifest handler at an existing export name", () => {
    for (const route of [...httpRoutes, ...webSocketRoutes]) {
      const { modulePath, exportName } = parseHandler(route.handler);
      expect(modulePath, route.handler).toMatch(/^packages\/functions\/src\//);
      expect(exportName, route.handler).toMatch(/^[A-Za-z_$][\w$]*$/);
    }
  });
});
