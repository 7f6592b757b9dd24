import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testStackConfig } from "../../../test/env";
import { startLocalStack, type LocalStack } from "../src/stack";

/**
 * The web app's server in the local stack: the files of packages/web/dist as
 * S3 + CloudFront serve them, and the two things only the local runtime
 * serves: `/config.json` and the dev sign-in, `POST /dev/token`.
 */
let stack: LocalStack;
let web: string;

beforeAll(async () => {
  // CORS_ORIGINS set: the web app's origin is allowed besides it.
  stack = await startLocalStack(testStackConfig({ webPort: 0, corsOrigin: "https://other.example" }));
  web = stack.webUrl!;
});
afterAll(() => stack?.stop());

const signIn = (body: unknown, init: RequestInit = {}) =>
  fetch(`${web}/dev/token`, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body), ...init });

describe("the local web app server", () => {
  it("serves the app at / and at any route of the app (the OIDC callback), and its hashed assets as immutable", async () => {
    for (const path of ["/", "/callback", "/sessions/123"]) {
      const response = await fetch(`${web}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(await response.text()).toContain('<div id="app">');
    }
    const html = await (await fetch(web)).text();
    const script = /<script type="module"[^>]*src="([^"]+)"/.exec(html)?.[1];
    expect(script).toMatch(/^\/assets\/.+\.js$/);
    const asset = await fetch(`${web}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(asset.headers.get("cache-control")).toContain("immutable");
  });

  it("answers 404 for an asset that is not there, and never serves a file outside dist", async () => {
    const missing = await fetch(`${web}/assets/index-000000.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
    for (const path of ["/..%2f..%2fpackage.json", "/%2e%2e/%2e%2e/package.json", "/assets/..%2f..%2f..%2flocal%2fsrc%2fstack.ts"]) {
      const response = await fetch(`${web}${path}`);
      // Not the file: the app's index.html (a route of the app), or a 404 under /assets.
      expect(await response.text(), path).not.toMatch(/"name":|startLocalStack/);
    }
  });

  it("points the app at this stack in /config.json, with the dev sign-in", async () => {
    const response = await fetch(`${web}/config.json`);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ apiUrl: stack.httpUrl, wsUrl: stack.wsUrl, auth: { kind: "dev", tokenUrl: "/dev/token" } });
  });

  it("signs a token for a user name that the REST API accepts as that user", async () => {
    const response = await signIn({ userId: "alice@example.test" });
    expect(response.status).toBe(200);
    const { token, expiresIn, userId } = (await response.json()) as { token: string; expiresIn: number; userId: string };
    expect({ expiresIn, userId }).toEqual({ expiresIn: 3600, userId: "alice@example.test" });
    const created = await fetch(`${stack.httpUrl}/api/sessions`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: "{}" });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { userId: string }).userId).toBe("alice@example.test");
  });

  it("refuses a sign-in that is not a user name, as problem+json", async () => {
    for (const [body, status, code] of [
      [{}, 400, "request.invalid"],
      [{ userId: "" }, 400, "request.invalid"],
      [{ userId: "a b" }, 400, "request.invalid"],
      [{ userId: "x".repeat(129) }, 400, "request.invalid"],
      [{ userId: 7 }, 400, "request.invalid"],
      ["{not json", 400, "request.invalid_json"],
      [{ userId: "x".repeat(5000) }, 413, "request.too_large"],
    ] as const) {
      const response = await signIn(body);
      expect(response.status, JSON.stringify(body).slice(0, 40)).toBe(status);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(await response.json()).toMatchObject({ status, code, traceId: expect.any(String) });
    }
    const get = await fetch(`${web}/dev/token`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
  });

  it("the REST API's CORS allows the web app's origin beside CORS_ORIGINS, and no other", async () => {
    const preflight = (origin: string) =>
      fetch(`${stack.httpUrl}/api/sessions`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" } });
    expect((await preflight(web)).headers.get("access-control-allow-origin")).toBe(web);
    expect((await preflight("https://other.example")).headers.get("access-control-allow-origin")).toBe("https://other.example");
    expect((await preflight("https://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
    // The handlers' own answers (middy's http-cors) agree.
    const { token } = (await (await signIn({ userId: "bob" })).json()) as { token: string };
    const listed = await fetch(`${stack.httpUrl}/api/sessions`, { headers: { authorization: `Bearer ${token}`, origin: web } });
    expect(listed.status).toBe(200);
    expect(listed.headers.get("access-control-allow-origin")).toBe(web);
  });
});
