import { beforeAll, describe, expect, it } from "vitest";
import { httpRoutes } from "@coach/functions/manifest";
import { loadHandler, matchRoute } from "../src/route-table";

const concretePath = (template: string) => template.replace(/\{(\w+)\}/g, (_, name: string) => `sample-${name}`);

describe("the local REST emulation dispatches from the route manifest", () => {
  beforeAll(() => {
    // Handlers read their configuration when first imported, as on a Lambda cold start.
    Object.assign(process.env, { JWT_ISSUER: "coach-test", JWT_AUDIENCE: "coach-api", JWT_JWKS_URI: "http://127.0.0.1:9/jwks.json" });
  });

  it.each(httpRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))("%s reaches its handler", async (_, route) => {
    const matched = matchRoute(route.method, concretePath(route.path));
    expect(matched && "route" in matched ? matched.route : undefined).toBe(route);
    expect(typeof (await loadHandler(route.handler))).toBe("function");
  });

  it("passes path parameters decoded, as API Gateway does", () => {
    const matched = matchRoute("POST", "/api/sessions/ses_1/messages/ses_1.m2/feedback");
    expect(matched && "route" in matched ? matched.pathParameters : undefined).toEqual({ id: "ses_1", messageId: "ses_1.m2" });
    const encoded = matchRoute("GET", "/api/sessions/a%20b");
    expect(encoded && "route" in encoded ? encoded.pathParameters : undefined).toEqual({ id: "a b" });
  });

  it("knows no path outside the manifest, and names the methods a known path allows", () => {
    expect(matchRoute("GET", "/api/nothing-here")).toBeUndefined();
    expect(matchRoute("GET", "/api/sessions/x/y/z")).toBeUndefined();
    expect(matchRoute("PATCH", "/api/sessions/abc")).toEqual({ allowed: ["GET", "DELETE"] });
  });
});
