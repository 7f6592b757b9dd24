import { randomUUID } from "node:crypto";
import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpRoutes, type HttpRoute } from "@coach/functions/manifest";
import { testStackConfig } from "../../../test/env";
import { startLocalStack, type LocalStack } from "../src/stack";

/**
 * The local REST emulation under the requests that break naive HTTP servers:
 * a client that stalls between two requests on a pooled connection, paths
 * with dot segments, a body over the gateway's limit, and a URL or headers
 * over its limits. Requests go out as exact bytes (node:http with a raw path)
 * where `fetch` would normalise them first.
 */
let stack: LocalStack;
const requestLog: string[] = [];

beforeAll(async () => {
  stack = await startLocalStack(testStackConfig(), (line) => requestLog.push(line));
});

afterAll(async () => {
  await stack?.stop();
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  body: any;
}

interface RawOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** A keep-alive agent reuses its connection; without one each request has its own. */
  agent?: Agent;
}

function raw(method: string, path: string, options: RawOptions = {}): Promise<Answer> {
  const { hostname, port } = new URL(stack.httpUrl);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: hostname, port, method, path, headers: options.headers, agent: options.agent ?? false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const json = /json/.test(response.headers["content-type"] ?? "") && text ? (JSON.parse(text) as unknown) : undefined;
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, body: json });
      });
    });
    request.on("error", reject);
    request.end(options.body);
  });
}

/** The problem+json every error of the API has, whoever produced it (handler or gateway). */
function expectGatewayProblem(answer: Answer, status: number, code: string): void {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.headers["content-type"]).toBe("application/problem+json");
  expect(answer.body).toEqual({ type: `urn:coach:problem:${code}`, title: expect.any(String), status, detail: expect.any(String), code, traceId: expect.any(String) });
  expect(answer.headers["x-trace-id"]).toBe(answer.body.traceId);
  expect(answer.headers["access-control-allow-origin"]).toBe("*");
}

/** Blocks this process without yielding, as a busy or paused client does (a GC pause, a debugger, a synchronous task). */
function stall(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe("a client that stalls between two requests on a pooled connection", () => {
  // Past Node's default 5 s keepAliveTimeout, inside any idle time API Gateway allows.
  const STALL_MS = 6_200;

  it.each([
    ["the REST API", () => `${stack.httpUrl}/health`, 200],
    ["the @connections API (the WebSocket server's HTTP side, which also serves Lambda Invoke)", () => `${stack.managementEndpoint}/@connections/${randomUUID()}`, 410],
  ] as const)("gets every request answered by %s", { timeout: 120_000 }, async (_, url, status) => {
    const call = async () => {
      const response = await fetch(url());
      await response.arrayBuffer();
      return response.status;
    };
    // A client in conversation (more than one request on its pooled connection), then a pause.
    expect([await call(), await call()]).toEqual([status, status]);
    stall(STALL_MS);
    expect(await call()).toBe(status);
  });
});

/**
 * A dot segment (`..`, `.`, `%2e%2e`, …) is an ordinary segment, as in API
 * Gateway's resource matching: the request goes to the route whose template
 * the path matches as sent, with the segment as the parameter (its handler
 * finds no such resource: a 4xx), or gets the gateway's 404 / 405. It never
 * reaches the route the path would name once the dots were resolved.
 */
describe("paths, matched as sent", () => {
  const DOT_SEGMENTS = ["..", ".", "%2e%2e", "%2E%2e", "%2e"];
  const METHODS = [...new Set(httpRoutes.map((route) => route.method))];
  const PARAM = /^\{(\w+)\}$/;

  /** API Gateway's resource matching: segment by segment, on the raw path; a parameter is any one non-empty segment. */
  const routesOfRawPath = (path: string) =>
    httpRoutes.filter((route) => {
      const template = route.path.split("/");
      const segments = path.split("/");
      return template.length === segments.length && template.every((part, i) => (PARAM.test(part) ? segments[i] !== "" : part === segments[i]));
    });

  /** The resource whose handler ran, as the runtime's request log names it (`GET /api/sessions/abc [/api/sessions/{id}] → 200 …`). */
  const dispatchedResource = (lines: string[]) => {
    const resources = lines.map((line) => / \[(\/\S*)\] → /.exec(line)?.[1]).filter((resource) => resource !== undefined);
    expect(resources.length).toBeLessThanOrEqual(1);
    return resources[0];
  };

  it(
    "never runs another route's handler for a dot segment: every route with a path parameter, every dot segment, plain and percent-encoded, in each parameter and after the path",
    { timeout: 300_000 },
    async () => {
      const user = `user-${randomUUID()}`;
      const suffix = randomUUID().slice(0, 8);
      const asUser = { authorization: `Bearer ${stack.issuer.token(user)}` };
      const asMachine = { "x-api-key": stack.devApiKey };
      const json = { "content-type": "application/json" };

      const session = await raw("POST", "/api/sessions", { headers: { ...asUser, ...json }, body: "{}" });
      expect(session.status, session.text).toBe(201);
      const machine = await raw("POST", "/api/tracking/machines", { headers: { ...asMachine, ...json }, body: JSON.stringify({ id: `m-${suffix}`, hostname: "build.local", capacity: 2 }) });
      expect(machine.status, machine.text).toBe(201);
      const tracked = await raw("POST", "/api/tracking/sessions", { headers: { ...asMachine, ...json }, body: JSON.stringify({ id: `s-${suffix}`, projectId: "web" }) });
      expect(tracked.status, tracked.text).toBe(201);
      const task = await raw("POST", "/api/tracking/tasks", { headers: { ...asMachine, ...json }, body: JSON.stringify({ sessionId: tracked.body.id, title: "t" }) });
      expect(task.status, task.text).toBe(201);
      const claim = await raw("POST", `/api/tracking/machines/${machine.body.id}/slots`, { headers: { ...asMachine, ...json }, body: JSON.stringify({ sessionId: tracked.body.id }) });
      expect(claim.status, claim.text).toBe(201);

      const ids = (route: HttpRoute): Record<string, string> =>
        route.path.startsWith("/api/tracking/sessions")
          ? { id: tracked.body.id }
          : route.path.startsWith("/api/tracking/tasks")
            ? { id: task.body.id }
            : route.path.startsWith("/api/tracking/machines")
              ? { id: machine.body.id, sessionId: tracked.body.id }
              : route.path.startsWith("/v1/models")
                ? { model: "coach" }
                : { id: session.body.id, messageId: `${session.body.id}.m1` };
      const fill = (route: HttpRoute, replace?: { name: string; segment: string }) =>
        route.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === replace?.name ? replace.segment : ids(route)[name]!));

      const requests = new Map<string, HttpRoute>();
      for (const route of httpRoutes.filter((r) => r.path.includes("{"))) {
        const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
        for (const segment of DOT_SEGMENTS) {
          for (const name of names) requests.set(fill(route, { name, segment }), route);
          requests.set(`${fill(route)}/${segment}`, route);
        }
      }

      const mismatches: string[] = [];
      for (const [path, origin] of requests) {
        for (const method of METHODS) {
          const headers = origin.auth === "apiKey" ? { ...asMachine } : { ...asUser };
          const hasBody = method !== "GET" && method !== "DELETE";
          const logged = requestLog.length;
          const answer = await raw(method, path, { headers: hasBody ? { ...headers, ...json } : headers, body: hasBody ? "{}" : undefined });
          const candidates = routesOfRawPath(path);
          const expected = candidates.find((route) => route.method === method);
          const ran = dispatchedResource(requestLog.slice(logged));
          const label = `${method} ${path} → ${answer.status}`;
          if (ran !== expected?.path) mismatches.push(`${label}: ran the handler of ${ran ?? "no route"}, expected ${expected?.path ?? "none"}`);
          else if (!expected) {
            const [status, code] = candidates.length === 0 ? [404, "route.not_found"] : [405, "route.method_not_allowed"];
            if (answer.status !== status || answer.body?.code !== code) mismatches.push(`${label} ${answer.body?.code}: expected the gateway's ${status} ${code}`);
            else expectGatewayProblem(answer, status, code);
          } else if (answer.status < 400 || answer.status >= 500) mismatches.push(`${label}: a dot segment names no resource, expected a 4xx`);
        }
      }
      expect(mismatches).toEqual([]);

      // Nothing was deleted, ended or released along the way.
      const after = await raw("GET", `/api/sessions/${session.body.id}`, { headers: asUser });
      expect(after.status, after.text).toBe(200);
      expect(after.body).toMatchObject({ status: "active", messageCount: 0 });
      expect((await raw("GET", `/api/tracking/sessions/${tracked.body.id}`, { headers: asMachine })).status).toBe(200);
      expect((await raw("GET", `/api/tracking/tasks/${task.body.id}`, { headers: asMachine })).status).toBe(200);
      const machineAfter = await raw("GET", `/api/tracking/machines/${machine.body.id}`, { headers: asMachine });
      expect(machineAfter.status, machineAfter.text).toBe(200);
      expect(machineAfter.body.slots.assignments).toEqual([expect.objectContaining({ sessionId: tracked.body.id })]);
    },
  );

  it.each(["//", "//health", "//api/sessions"])("reads %s as a path, not as a host: 404", async (path) => {
    expectGatewayProblem(await raw("GET", path), 404, "route.not_found");
  });

  it("still passes a percent-encoded parameter to the handler decoded, as API Gateway does", async () => {
    const user = `user-${randomUUID()}`;
    const answer = await raw("GET", "/api/sessions/ses%5F1", { headers: { authorization: `Bearer ${stack.issuer.token(user)}` } });
    const ran = requestLog.at(-1) ?? "";
    expect(ran).toContain("[/api/sessions/{id}]");
    // Decoded, `ses_1` is a well-formed id that no one owns; left encoded it would be a malformed one (route.not_found).
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe("session.not_found");
  });
});

describe("a body over API Gateway's 10 MB limit", () => {
  it("gets 413 problem+json, and the next request on the same keep-alive connection is answered", { timeout: 120_000 }, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const tooLarge = await raw("POST", "/api/sessions", {
        agent,
        headers: { authorization: `Bearer ${stack.issuer.token(`user-${randomUUID()}`)}`, "content-type": "application/json" },
        body: Buffer.alloc(11 * 1024 * 1024, 0x20),
      });
      expectGatewayProblem(tooLarge, 413, "request.too_large");
      const next = await raw("GET", "/health", { agent });
      expect(next.status, next.text).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});

describe("a URL or headers over API Gateway's limits", () => {
  it("answers a 20 KB URL with 414 problem+json", async () => {
    expectGatewayProblem(await raw("GET", `/api/sessions?cursor=${"x".repeat(20 * 1024)}`), 414, "request.uri_too_long");
  });

  it("answers 20 KB of headers with 431 problem+json", async () => {
    expectGatewayProblem(await raw("GET", "/health", { headers: { "x-padding": "x".repeat(20 * 1024) } }), 431, "request.headers_too_large");
  });

  it("answers headers too large for the HTTP parser itself with 431 problem+json too", async () => {
    expectGatewayProblem(await raw("GET", "/health", { headers: { "x-padding": "x".repeat(200 * 1024) } }), 431, "request.headers_too_large");
  });

  it("keeps the connection usable after a 414", { timeout: 120_000 }, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await raw("GET", `/health?${"x".repeat(20 * 1024)}`, { agent })).status).toBe(414);
      expect((await raw("GET", "/health", { agent })).status).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});
