import { existsSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { binaryMediaTypes, httpRouteKey, httpRoutes, parseHandler, webSocketRoutes, workers } from "../packages/functions/src/manifest";
import { webSocketAuthorizerLabel, webSocketLabel, workerLabel } from "./Realtime";
import { getAttTarget, ownFunctions, repoRoot, resources, restMethods, sstHandlers, synthesize, type Resource, type Synthesized } from "./testing";

/**
 * The deployed functions are the manifest: every `httpRoutes` entry is exactly
 * one REST method, every `webSocketRoutes` entry exactly one WebSocket route,
 * each backed by its own function running the entry's handler; every
 * `workers` entry is exactly one function that no route integrates with; and
 * there is nothing else. Synthesized without bundling (stacks.test.ts does
 * the one real build); each function's handler is read from the SST
 * construct that bundles it.
 */
describe("deployed functions equal the route manifest", () => {
  let synth: Synthesized;
  beforeAll(async () => {
    synth = await synthesize("dev", { build: false });
    handlers = sstHandlers(synth.app);
  }, 120_000);
  let handlers: Map<string, string>;
  const handlerIn = (stackName: "Api" | "Realtime", logicalId: string | undefined) => handlers.get(`dev-coach-${stackName}/${logicalId ?? ""}`);

  const refTarget = (value: unknown): string | undefined => /"Ref":"([^"]+)"/.exec(JSON.stringify(value))?.[1];

  /** WebSocket route key → logical id of the function its integration invokes. */
  const webSocketRouteFunctions = (): Map<string, string | undefined> => {
    const integrations = resources(synth.realtime, "AWS::ApiGatewayV2::Integration");
    const routes = new Map<string, string | undefined>();
    for (const route of resources(synth.realtime, "AWS::ApiGatewayV2::Route").values()) {
      const key = String(route.Properties?.RouteKey);
      expect(routes.has(key), `two routes for ${key}`).toBe(false);
      const integration = integrations.get(refTarget(route.Properties?.Target) ?? "");
      expect(integration?.Properties?.IntegrationType, key).toBe("AWS_PROXY");
      routes.set(key, getAttTarget(integration?.Properties?.IntegrationUri));
    }
    return routes;
  };

  it("has exactly one REST method per manifest entry and no other method", () => {
    const deployed = [...restMethods(synth.api).keys()].sort();
    expect(deployed).toEqual(httpRoutes.map(httpRouteKey).sort());
  });

  it("backs each REST method with its own function running the manifest handler, and has no other function", () => {
    const methods = restMethods(synth.api);
    const functions = ownFunctions(synth.api);
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
      expect(fn, key).toBeDefined();
      expect(handlerIn("Api", functionId), key).toBe(route.handler);
      expect(used.has(functionId ?? ""), `${key} shares a function`).toBe(false);
      used.add(functionId ?? "");
    }
    expect([...functions.keys()].filter((id) => !used.has(id))).toEqual([]);
  });

  it("passes the manifest's binary media types (PDF downloads) as bytes, and no catch-all type that would make every body binary", () => {
    const [restApi, ...others] = [...resources(synth.api, "AWS::ApiGateway::RestApi").values()];
    expect(others).toEqual([]);
    expect(restApi?.Properties?.BinaryMediaTypes).toEqual([...binaryMediaTypes]);
    expect(binaryMediaTypes).toContain("application/pdf");
    expect(binaryMediaTypes).not.toContain("*/*");
  });

  it("leaves every method open at the gateway: handlers verify the JWT themselves", () => {
    for (const [key, method] of restMethods(synth.api)) {
      expect(method.Properties?.AuthorizationType, key).toBe("NONE");
    }
  });

  it("has one WebSocket API with exactly one route per manifest entry and no other route", () => {
    expect(webSocketRoutes.length).toBeGreaterThan(0);
    expect(resources(synth.realtime, "AWS::ApiGatewayV2::Api").size).toBe(1);
    expect([...webSocketRouteFunctions().keys()].sort()).toEqual(webSocketRoutes.map((route) => route.routeKey).sort());
  });

  it("backs each WebSocket route with its own function running the manifest handler, and each worker with one no route calls", () => {
    const functions = ownFunctions(synth.realtime);
    const routeFunctions = webSocketRouteFunctions();
    const used = new Set<string>();
    const claim = (functionId: string | undefined, what: string): Resource | undefined => {
      expect(functionId, what).toBeDefined();
      expect(used.has(functionId ?? ""), `${what} shares a function`).toBe(false);
      used.add(functionId ?? "");
      return functions.get(functionId ?? "");
    };

    for (const route of webSocketRoutes) {
      const functionId = routeFunctions.get(route.routeKey);
      const fn = claim(functionId, route.routeKey);
      expect(handlerIn("Realtime", functionId), route.routeKey).toBe(route.handler);
      expect(fn?.Properties?.Description, route.routeKey).toBe(webSocketLabel(route.routeKey));
    }

    const integrated = new Set(routeFunctions.values());
    for (const route of webSocketRoutes) {
      if (!route.authorizer) continue;
      const label = webSocketAuthorizerLabel(route.routeKey);
      const [functionId] = [...functions].find(([, fn]) => fn.Properties?.Description === label) ?? [];
      claim(functionId, label);
      expect(handlerIn("Realtime", functionId), label).toBe(route.authorizer.handler);
      expect(integrated.has(functionId), `${label} is behind a route`).toBe(false);
    }
    for (const worker of workers) {
      const label = workerLabel(worker.name);
      const [functionId] = [...functions].find(([, fn]) => fn.Properties?.Description === label) ?? [];
      const fn = claim(functionId, label);
      expect(handlerIn("Realtime", functionId), label).toBe(worker.handler);
      expect(fn?.Properties?.Timeout, label).toBe(worker.timeoutSeconds);
      expect(integrated.has(functionId), `${label} is behind a route`).toBe(false);
    }

    // No orphans: every function of the stack is a manifest route, authorizer or worker.
    expect([...functions.keys()].filter((id) => !used.has(id))).toEqual([]);
  });

  it("names only existing workers in `invokes`, and every worker is invoked by some route", () => {
    const names = new Set<string>(workers.map((worker) => worker.name));
    expect(names.size, "worker names are unique").toBe(workers.length);
    const invoked = new Set<string>(webSocketRoutes.flatMap((route) => route.invokes ?? []));
    for (const name of invoked) expect(names.has(name), name).toBe(true);
    for (const name of names) expect(invoked.has(name), `${name} is invoked by no route`).toBe(true);
  });

  it("points every manifest handler at an existing module and a valid export name", () => {
    for (const entry of [...httpRoutes, ...webSocketRoutes, ...webSocketRoutes.flatMap((route) => (route.authorizer ? [route.authorizer] : [])), ...workers]) {
      const { modulePath, exportName } = parseHandler(entry.handler);
      expect(modulePath, entry.handler).toMatch(/^packages\/functions\/src\//);
      expect(exportName, entry.handler).toMatch(/^[A-Za-z_$][\w$]*$/);
      expect(existsSync(path.join(repoRoot, `${modulePath}.ts`)), entry.handler).toBe(true);
    }
  });
});
