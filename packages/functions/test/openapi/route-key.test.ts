import "../../src/http/openapi/offline-env";
import { describe, expect, it } from "vitest";
import { httpRouteOf, type HttpRouteKey } from "../../src/manifest";
import { httpRoute } from "../../src/http/shared/route";

/** A handler names its route; method, path, auth and table rights come from the manifest entry of that name. */
describe("httpRoute's route key", () => {
  it("takes the auth mode from the manifest", async () => {
    const { handler } = await import("../../src/http/tracking/sessions/get");
    expect(handler.routeKey).toBe("GET /api/tracking/sessions/{id}");
    expect(httpRouteOf(handler.routeKey).auth).toBe("apiKey");
    expect(handler.spec).not.toHaveProperty("auth");
  });

  it("is checked against the manifest when the module loads, too", () => {
    // Only a stale or hand-edited build gets past the type check.
    const unknown = "GET /api/nowhere" as HttpRouteKey;
    expect(() => httpRouteOf(unknown)).toThrow("GET /api/nowhere is not in the route manifest");
  });

  it("types the caller by the manifest's auth mode", () => {
    // Type-level only: never called.
    const declarations = () => [
      httpRoute("GET /api/sessions/{id}", {}, async ({ userId, actor }) => ({ body: { userId, type: actor.type satisfies "user" } })),
      // @ts-expect-error API-key routes have no user id
      httpRoute("GET /api/tracking/sessions/{id}", {}, async ({ userId }) => ({ body: userId })),
      httpRoute("GET /api/tracking/sessions/{id}", {}, async ({ actor }) => ({ body: actor.keyId })),
      // @ts-expect-error a route the manifest does not declare
      httpRoute("GET /api/nowhere", {}, async () => ({})),
      // @ts-expect-error the auth mode is the manifest's, not the handler's
      httpRoute("GET /health", { auth: "none" }, async () => ({})),
    ];
    expect(typeof declarations).toBe("function");
  });
});
