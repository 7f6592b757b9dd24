import "../../src/http/openapi/offline-env";
import { describe, expect, it } from "vitest";
import { httpRouteKey, httpRoutes, type HttpRoute } from "../../src/manifest";

/** The generator finds every route's spec through the manifest's handler path alone: no list of imports to keep. */
describe("the handler specs the document is generated from", () => {
  it("come from every manifest handler, each naming its own route", async () => {
    const { handlerSpecs } = await import("../../src/http/openapi/handler-specs");
    const specs = await handlerSpecs();
    expect([...specs.keys()].sort()).toEqual(httpRoutes.map(httpRouteKey).sort());
    for (const [key, spec] of specs) expect(spec.summary, key).toBeTruthy();
  });

  it("refuses a handler that names another route than the manifest entry pointing at it", async () => {
    const { handlerSpecOf } = await import("../../src/http/openapi/handler-specs");
    const misplaced: HttpRoute = { method: "GET", path: "/health", handler: "packages/functions/src/http/health/ready.handler", auth: "none", table: [] };
    await expect(handlerSpecOf(misplaced)).rejects.toThrow("GET /health: packages/functions/src/http/health/ready.handler names the route GET /health/ready");
  });
});
