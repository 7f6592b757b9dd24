import { beforeAll, describe, expect, it } from "vitest";
import { webSocketRoutes } from "../packages/functions/src/manifest";
import { webSocketAuthorizerLabel } from "./Realtime";
import { actionsOf, functionByDescription, getAttTarget, resources, sstHandlers, statementsOfFunction, synthesize, type Resource, type Synthesized } from "./testing";

/**
 * The `$connect` route is guarded by a Lambda REQUEST authorizer reading
 * `?token=`, whose function verifies a JWT and holds no table rights.
 * Synthesized without bundling.
 */
describe("the WebSocket $connect authorizer", () => {
  let synth: Synthesized;
  beforeAll(async () => {
    synth = await synthesize("dev", { build: false });
  }, 120_000);

  const connect = webSocketRoutes.find((route) => route.routeKey === "$connect");
  const routeNamed = (routeKey: string): Resource => {
    const found = [...resources(synth.realtime, "AWS::ApiGatewayV2::Route").values()].filter((route) => route.Properties?.RouteKey === routeKey);
    expect(found, routeKey).toHaveLength(1);
    return found[0]!;
  };
  const authorizerOf = (route: Resource): Resource | undefined => {
    const id = (route.Properties?.AuthorizerId as { Ref?: string } | undefined)?.Ref ?? "";
    return resources(synth.realtime, "AWS::ApiGatewayV2::Authorizer").get(id);
  };

  it("is declared on $connect in the manifest, reading the `token` query parameter", () => {
    expect(connect?.authorizer).toEqual({ handler: "packages/functions/src/ws/authorize.handler", identitySource: "token" });
    for (const route of webSocketRoutes.filter((entry) => entry.routeKey !== "$connect")) expect(route.authorizer, route.routeKey).toBeUndefined();
  });

  it("guards $connect with a CUSTOM REQUEST authorizer on route.request.querystring.token", () => {
    const route = routeNamed("$connect");
    expect(route.Properties?.AuthorizationType).toBe("CUSTOM");
    const authorizer = authorizerOf(route);
    expect(authorizer?.Properties).toMatchObject({ AuthorizerType: "REQUEST", IdentitySource: ["route.request.querystring.token"] });
    expect(resources(synth.realtime, "AWS::ApiGatewayV2::Authorizer").size).toBe(1);
  });

  it("leaves every other route without an authorizer: API Gateway passes $connect's identity to them", () => {
    for (const route of webSocketRoutes.filter((entry) => entry.routeKey !== "$connect")) {
      const properties = routeNamed(route.routeKey).Properties ?? {};
      expect(properties.AuthorizationType ?? "NONE", route.routeKey).toBe("NONE");
      expect(properties.AuthorizerId, route.routeKey).toBeUndefined();
    }
  });

  it("runs the manifest's authorizer handler in its own function, which API Gateway may invoke", () => {
    const [logicalId, fn] = functionByDescription(synth.realtime, webSocketAuthorizerLabel("$connect"));
    expect(sstHandlers(synth.app).get(`dev-coach-Realtime/${logicalId}`)).toBe(connect?.authorizer?.handler);
    const authorizer = authorizerOf(routeNamed("$connect"));
    expect(getAttTarget(authorizer?.Properties?.AuthorizerUri)).toBe(logicalId);
    const invokers = [...resources(synth.realtime, "AWS::Lambda::Permission").values()].filter(
      (permission) => getAttTarget(permission.Properties?.FunctionName) === logicalId,
    );
    expect(invokers.map((permission) => permission.Properties?.Principal)).toEqual(["apigateway.amazonaws.com"]);
    expect(fn.Properties?.Runtime).toBe("nodejs22.x");
  });

  it("grants the authorizer function no DynamoDB and no @connections rights", () => {
    const [, fn] = functionByDescription(synth.realtime, webSocketAuthorizerLabel("$connect"));
    const actions = statementsOfFunction(synth.realtime, fn).flatMap(actionsOf);
    expect(actions.filter((action) => action.startsWith("dynamodb:"))).toEqual([]);
    expect(actions.filter((action) => action.startsWith("execute-api:"))).toEqual([]);
    const managed = JSON.stringify(resources(synth.realtime, "AWS::IAM::Role").get(getAttTarget(fn.Properties?.Role) ?? "")?.Properties?.ManagedPolicyArns ?? []);
    expect(managed).not.toMatch(/DynamoDB/i);
  });
});
