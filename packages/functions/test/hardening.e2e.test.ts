import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { testStackConfig } from "../../../test/env";
import type { LocalConfig } from "../../local/src/config";
import { startLocalStack, type LocalStack } from "../../local/src/stack";
import { apiClient, expectNoInternals, expectProblem, newUser, type Api, type ApiResponse } from "./support/api";
import { signWithIssuerKey } from "./support/issuer-key";
import { closeAllClients, connectRefusal, expectCleanTraffic, RealtimeClient, storedMessages } from "./realtime/support/ws-client";

/**
 * Input a black-box probe found that reached storage or the stack before
 * validation: JSON nested past what DynamoDB (or a recursive walk) takes,
 * calendar dates that do not exist, tokens that never expire. Each is a
 * precise 4xx; none is a 500, none leaves anything stored.
 */
let stack: LocalStack;
let api: Api;
let config: LocalConfig;
const clients: RealtimeClient[] = [];

beforeAll(async () => {
  config = testStackConfig();
  stack = await startLocalStack(config);
  api = apiClient(stack);
});

afterEach(async () => {
  expectCleanTraffic(...clients.splice(0));
  await closeAllClients();
});

afterAll(async () => {
  await stack?.stop();
});

/** JSON text of objects nested `levels` deep (`{}` is 1), built as text: JSON.stringify itself overflows on a deep enough value. */
const nestedObject = (levels: number) => `${'{"a":'.repeat(levels - 1)}{}${"}".repeat(levels - 1)}`;
const nestedArray = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;

const json = (body: string) => ({ body, headers: { "content-type": "application/json" } });
const key = () => ({ authorization: `Bearer ${stack.devApiKey}` });
const unique = (prefix: string) => `${prefix}-${crypto.randomUUID()}`;
const metadataOf = async (response: Promise<ApiResponse>) => {
  const answered = await response;
  return answered.status === 200 ? (answered.body as { metadata: unknown }).metadata : undefined;
};

/**
 * Every route that stores a client's free-form JSON: how to send a body
 * carrying `metadata` (as raw JSON text), what is stored there before, and
 * how to read what is stored after.
 */
interface MetadataTarget {
  send(metadata: string): Promise<ApiResponse>;
  stored(): Promise<unknown>;
  /** What `stored()` answers before the request: nothing for a create, the item's metadata for an update. */
  before: unknown;
}

async function trackingSession(): Promise<string> {
  const id = unique("tses");
  const created = await api.post("/api/tracking/sessions", { ...key(), json: { id, projectId: "hardening", metadata: { kept: true } } });
  expect(created.status, created.text).toBe(201);
  return id;
}

const targets: Record<string, () => Promise<MetadataTarget>> = {
  "POST /api/sessions": async () => {
    const user = newUser();
    return {
      send: (metadata) => api.post("/api/sessions", { as: user, ...json(`{"metadata":${metadata}}`) }),
      stored: async () => ((await api.get("/api/sessions", { as: user })).body.sessions as { metadata: unknown }[])[0]?.metadata,
      before: undefined,
    };
  },
  "POST /api/tracking/sessions": async () => {
    const id = unique("tses");
    return {
      send: (metadata) => api.post("/api/tracking/sessions", { ...key(), ...json(`{"id":"${id}","projectId":"hardening","metadata":${metadata}}`) }),
      stored: () => metadataOf(api.get(`/api/tracking/sessions/${id}`, key())),
      before: undefined,
    };
  },
  "PATCH /api/tracking/sessions/{id}": async () => {
    const id = await trackingSession();
    return {
      send: (metadata) => api.call("PATCH", `/api/tracking/sessions/${id}`, { ...key(), ...json(`{"metadata":${metadata}}`) }),
      stored: () => metadataOf(api.get(`/api/tracking/sessions/${id}`, key())),
      before: { kept: true },
    };
  },
  "POST /api/tracking/tasks": async () => {
    const sessionId = await trackingSession();
    return {
      send: (metadata) => api.post("/api/tracking/tasks", { ...key(), ...json(`{"sessionId":"${sessionId}","title":"deep","metadata":${metadata}}`) }),
      stored: async () => ((await api.get(`/api/tracking/tasks?sessionId=${sessionId}`, key())).body.tasks as { metadata: unknown }[])[0]?.metadata,
      before: undefined,
    };
  },
  "PATCH /api/tracking/tasks/{id}": async () => {
    const sessionId = await trackingSession();
    const task = await api.post("/api/tracking/tasks", { ...key(), json: { sessionId, title: "deep", metadata: { kept: true } } });
    expect(task.status, task.text).toBe(201);
    const id = (task.body as { id: string }).id;
    return {
      send: (metadata) => api.call("PATCH", `/api/tracking/tasks/${id}`, { ...key(), ...json(`{"metadata":${metadata}}`) }),
      stored: () => metadataOf(api.get(`/api/tracking/tasks/${id}`, key())),
      before: { kept: true },
    };
  },
  "POST /api/tracking/machines": async () => {
    const id = unique("mch");
    return {
      send: (metadata) => api.post("/api/tracking/machines", { ...key(), ...json(`{"id":"${id}","hostname":"deep.local","capacity":1,"metadata":${metadata}}`) }),
      stored: () => metadataOf(api.get(`/api/tracking/machines/${id}`, key())),
      before: undefined,
    };
  },
  "PATCH /api/tracking/machines/{id}": async () => {
    const id = unique("mch");
    const machine = await api.post("/api/tracking/machines", { ...key(), json: { id, hostname: "deep.local", capacity: 1, metadata: { kept: true } } });
    expect(machine.status, machine.text).toBe(201);
    return {
      send: (metadata) => api.call("PATCH", `/api/tracking/machines/${id}`, { ...key(), ...json(`{"metadata":${metadata}}`) }),
      stored: () => metadataOf(api.get(`/api/tracking/machines/${id}`, key())),
      before: { kept: true },
    };
  },
};

describe("JSON nested too deep", () => {
  describe.each(Object.keys(targets))("%s", (route) => {
    it.each([
      ["32 levels of objects", nestedObject(32)],
      ["9,000 levels of objects", nestedObject(9_000)],
      ["9,000 levels of arrays inside an object", `{"a":${nestedArray(9_000)}}`],
    ])("metadata of %s → 400 request.too_deep, nothing stored", async (_, metadata) => {
      const target = await targets[route]!();
      const response = await target.send(metadata);
      expectProblem(response, 400, "request.too_deep");
      expect(response.body.detail).toBe("The body may nest objects and arrays at most 32 levels deep");
      expect(await target.stored()).toEqual(target.before);
    });

    it("metadata of 17 levels (within the body's bound, past the metadata's) → 400 on the metadata field, nothing stored", async () => {
      const target = await targets[route]!();
      const response = await target.send(nestedObject(17));
      expectProblem(response, 400, "request.invalid_body");
      expect(response.body.issues).toEqual([{ path: "metadata", message: "metadata must nest at most 16 levels of objects and arrays" }]);
      expect(await target.stored()).toEqual(target.before);
    });

    it("metadata of 16 levels is stored as sent", async () => {
      const target = await targets[route]!();
      const response = await target.send(nestedObject(16));
      expect([200, 201], response.text).toContain(response.status);
      expect(await target.stored()).toEqual(JSON.parse(nestedObject(16)));
    });
  });

  it("bounds every JSON body, not only metadata: a deep resolution note → 400 request.too_deep, the session untouched", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    const response = await api.post(`/api/sessions/${session.id}/resolve`, { as: user, ...json(`{"notes":${nestedArray(9_000)}}`) });
    expectProblem(response, 400, "request.too_deep");
    expect((await api.get(`/api/sessions/${session.id}`, { as: user })).body).toEqual(session);
  });

  it("answers a deep body on /v1/chat/completions in OpenAI's error shape", async () => {
    const body = `{"model":"coach","messages":[{"role":"user","content":"hi","extra":${nestedArray(9_000)}}]}`;
    const response = await api.post("/v1/chat/completions", { as: newUser(), ...json(body) });
    expect(response.status, response.text).toBe(400);
    expect(response.body).toEqual({
      error: { message: "The body may nest objects and arrays at most 32 levels deep", type: "invalid_request_error", param: null, code: "request_too_deep" },
    });
    expectNoInternals(response.text);
  });

  it("refuses a WebSocket frame nested too deep with session_error invalid_frame, stores nothing, and keeps the connection", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    const client = await RealtimeClient.connect(stack, user);
    clients.push(client);
    for (const extra of [nestedObject(33), nestedArray(9_000)]) {
      const from = client.mark();
      client.sendRaw(`{"action":"send_message","sessionId":"${session.id}","clientMessageId":"${unique("deep")}","content":"hello","extra":${extra}}`);
      const error = await client.waitFor("session_error", () => true, { from });
      expect(error).toMatchObject({ code: "invalid_frame", retryable: false, message: "Frames may nest objects and arrays at most 32 levels deep" });
    }
    await client.ping();
    expect(await storedMessages(api, user, session.id)).toEqual([]);
  });
});

describe("calendar dates", () => {
  it.each([
    ["February 31st", "2026-02-31", "not a calendar date"],
    ["month 13", "2026-13-01", "not a calendar date"],
    ["month 0", "2026-00-10", "not a calendar date"],
    ["day 0", "2026-04-00", "not a calendar date"],
    ["April 31st", "2026-04-31", "not a calendar date"],
    ["February 29th of a common year", "2025-02-29", "not a calendar date"],
    ["February 29th of a century that is not a leap year", "2100-02-29", "not a calendar date"],
    ["a date without zero padding", "2026-2-1", "a date as YYYY-MM-DD"],
  ])("GET /api/usage with %s (%s) → 400, one issue per field", async (_, date, message) => {
    const response = await api.get(`/api/usage?from=${date}&to=${date}`, { as: newUser() });
    expectProblem(response, 400, "request.invalid_query");
    expect(response.body.issues).toEqual([
      { path: "from", message },
      { path: "to", message },
    ]);
  });

  it.each(["2024-02-29", "2000-02-29"])("GET /api/usage on the leap day %s → 200", async (date) => {
    const response = await api.get(`/api/usage?from=${date}&to=${date}`, { as: newUser() });
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({ from: date, to: date, days: [] });
  });
});

describe("token lifetime", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (extra: Record<string, unknown>) => ({ iss: stack.issuer.issuer, aud: stack.issuer.audience, sub: newUser(), ...extra });
  const DAY = 24 * 60 * 60;

  const refused: [string, () => Record<string, unknown>, string][] = [
    ["without exp", () => claims({ iat: now() }), "The token has no expiry (exp)"],
    ["without exp or iat", () => claims({}), "The token has no expiry (exp)"],
    ["living ten years", () => claims({ iat: now(), exp: now() + 3650 * DAY }), "The token lives longer than 24 hours"],
    ["living a second over a day", () => claims({ iat: now(), exp: now() + DAY + 1 }), "The token lives longer than 24 hours"],
    ["without iat, ending in a year", () => claims({ exp: now() + 365 * DAY }), "The token lives longer than 24 hours"],
    ["issued in a year, ending an hour after", () => claims({ iat: now() + 365 * DAY, exp: now() + 365 * DAY + 3600 }), "The token lives longer than 24 hours"],
  ];

  it.each(refused)("REST: a token of the trusted issuer %s → 401", async (_, payload, detail) => {
    const token = signWithIssuerKey(config.dataDir, payload());
    const response = await api.get("/api/sessions", { authorization: `Bearer ${token}` });
    expectProblem(response, 401, "auth.invalid_token");
    expect(response.body.detail).toBe(detail);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="coach"');
  });

  // The $connect authorizer refuses as API Gateway answers for it: 401 with its fixed body (the reason is in the authorizer's log).
  it.each(refused)("WebSocket: a token of the trusted issuer %s → the upgrade is refused with 401", async (_, payload) => {
    const before = stack.connectionCount();
    const refusal = await connectRefusal(`${stack.wsUrl}/?token=${signWithIssuerKey(config.dataDir, payload())}`);
    expect(refusal).toEqual({ status: 401, body: JSON.stringify({ message: "Unauthorized" }) });
    expect(stack.connectionCount()).toBe(before);
  });

  it("accepts a token living exactly the longest lifetime, on REST and on WebSocket", async () => {
    const token = signWithIssuerKey(config.dataDir, claims({ iat: now(), exp: now() + DAY }));
    expect((await api.get("/api/sessions", { authorization: `Bearer ${token}` })).status).toBe(200);
    const client = await RealtimeClient.connectUrl(`${stack.wsUrl}/?token=${token}`);
    clients.push(client);
    await client.ping();
  });

  it("accepts the dev issuer's own tokens (what `pnpm token` prints, valid an hour), on REST and on WebSocket", async () => {
    const user = newUser();
    expect((await api.get("/api/sessions", { as: user })).status).toBe(200);
    const client = await RealtimeClient.connect(stack, user);
    clients.push(client);
    await client.ping();
  });
});
