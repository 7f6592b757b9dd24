import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withActor } from "@coach/core/actor";
import * as Conversation from "@coach/core/conversation";
import { testStackConfig } from "../../../test/env";
import type { LocalConfig } from "../../local/src/config";
import { startLocalStack, type LocalStack } from "../../local/src/stack";
import {
  apiClient,
  craftCursor,
  decodeCursor,
  encodeJson,
  expectProblem,
  foreignIssuer,
  newUser,
  splitJwt,
  type Api,
  type SessionBody,
} from "./support/api";
import { signWithIssuerKey } from "./support/issuer-key";

/**
 * Requests as careless or hostile users send them: broken bodies, bad
 * tokens, other people's ids, tampered cursors. Every one gets a precise
 * 4xx problem, never a 500 and never someone else's data.
 */
let stack: LocalStack;
let api: Api;
let config: LocalConfig;

beforeAll(async () => {
  config = testStackConfig();
  stack = await startLocalStack(config);
  api = apiClient(stack);
});

afterAll(async () => {
  await stack?.stop();
});

const appendMessages = (userId: string, sessionId: string, count: number) =>
  withActor({ type: "user", userId }, async () => {
    const stored: Conversation.Message[] = [];
    for (let i = 1; i <= count; i++) {
      stored.push(await Conversation.appendMessage({ sessionId, role: i % 2 === 1 ? "user" : "assistant", content: `message ${i}` }));
    }
    return stored;
  });

/** Signs any claims with the stack's own dev-issuer key: a token only the issuer itself could make. */
const signWithStackKey = (header: Record<string, unknown>, payload: Record<string, unknown>) => signWithIssuerKey(config.dataDir, payload, header);

const validClaims = (sub: string) => {
  const now = Math.floor(Date.now() / 1000);
  return { iss: stack.issuer.issuer, aud: stack.issuer.audience, sub, iat: now, exp: now + 600 };
};

describe("request bodies", () => {
  it("answers malformed JSON with 400 request.malformed_json", async () => {
    const response = await api.post("/api/sessions", { as: newUser(), body: '{"flow": "okr",', headers: { "content-type": "application/json" } });
    expectProblem(response, 400, "request.malformed_json");
    expect(response.body.detail).toBe("The body is not valid JSON");
  });

  it("answers fields of the wrong type with 400 listing every bad field", async () => {
    const response = await api.post("/api/sessions", { as: newUser(), json: { flow: 42, metadata: "not an object" } });
    expectProblem(response, 400, "request.invalid_body");
    expect(response.body.issues).toEqual([
      { path: "flow", message: expect.any(String) },
      { path: "metadata", message: expect.any(String) },
    ]);
    expect(response.body.detail).toMatch(/^Invalid input: flow: .+; metadata: .+$/);
  });

  it.each([
    ["null", "null"],
    ["an array", "[]"],
    ["a string", '"okr"'],
    ["a number", "7"],
  ])("answers a JSON body that is %s instead of an object with 400", async (_, body) => {
    const response = await api.post("/api/sessions", { as: newUser(), body, headers: { "content-type": "application/json" } });
    expectProblem(response, 400, "request.invalid_body");
    expect(response.body.issues).toEqual([{ path: "", message: expect.any(String) }]);
  });

  it("answers a body over 64 KB with 413 and creates nothing", async () => {
    const user = newUser();
    const response = await api.post("/api/sessions", { as: user, json: { metadata: { blob: "x".repeat(64 * 1024) } } });
    expectProblem(response, 413, "request.too_large");
    expect((await api.get("/api/sessions", { as: user })).body.sessions).toEqual([]);
  });

  it("lets a body of exactly 64 KB through the size check (the 8 KB metadata rule then answers 400)", async () => {
    const padding = 64 * 1024 - JSON.stringify({ metadata: { blob: "" } }).length;
    const response = await api.post("/api/sessions", { as: newUser(), json: { metadata: { blob: "x".repeat(padding) } } });
    expectProblem(response, 400, "request.invalid_body");
  });

  it.each(["text/plain", "application/x-www-form-urlencoded", "application/xml", "application/octet-stream", "multipart/form-data; boundary=x"])(
    "answers a body sent as %s with 415",
    async (contentType) => {
      const response = await api.post("/api/sessions", { as: newUser(), body: '{"flow":"okr"}', headers: { "content-type": contentType } });
      expectProblem(response, 415, "request.unsupported_media_type");
    },
  );

  it("accepts application/json with a charset parameter", async () => {
    const response = await api.post("/api/sessions", { as: newUser(), body: "{}", headers: { "content-type": "application/json; charset=utf-8" } });
    expect(response.status).toBe(201);
  });
});

describe("query strings", () => {
  it.each([
    ["limit=0", "request.invalid"],
    ["limit=101", "request.invalid"],
    ["limit=-1", "request.invalid_query"],
    ["limit=1.5", "request.invalid_query"],
    ["limit=ten", "request.invalid_query"],
    ["limit=", "request.invalid_query"],
    ["limit=9999999", "request.invalid_query"],
    ["type=archived", "request.invalid_query"],
  ])("answers GET /api/sessions?%s with 400 %s", async (query, code) => {
    const response = await api.get(`/api/sessions?${query}`, { as: newUser() });
    expectProblem(response, 400, code);
    expect(response.body.issues).toEqual([{ path: expect.stringMatching(/^(limit|type)$/), message: expect.any(String) }]);
  });

  it.each(["afterSeq=-1", "afterSeq=one", "limit=0", "limit=201"])("answers GET messages?%s with 400", async (query) => {
    const user = newUser();
    const session = await api.createSession(user);
    const response = await api.get(`/api/sessions/${session.id}/messages?${query}`, { as: user });
    expect(response.status).toBe(400);
    expectProblem(response, 400, response.body.code);
    expect(response.body.code).toMatch(/^request\.invalid(_query)?$/);
  });
});

describe("routing", () => {
  it.each(["/nope", "/api", "/api/session", "/api/sessions/ses_X/unknown", "/health/ready/extra"])("answers GET %s with 404 problem+json", async (path) => {
    const response = await api.get(path, { as: newUser() });
    expectProblem(response, 404, "route.not_found");
  });

  it.each([
    ["PUT", "/api/sessions", "POST, GET"],
    ["PATCH", "/api/sessions/ses_X", "GET, DELETE"],
    ["DELETE", "/api/sessions/ses_X/end", "POST"],
    ["GET", "/api/sessions/ses_X/resume", "POST"],
    ["POST", "/health", "GET"],
  ])("answers %s %s with 405 and Allow: %s", async (method, path, allow) => {
    const response = await api.call(method, path, { as: newUser() });
    expectProblem(response, 405, "route.method_not_allowed");
    expect(response.headers.get("allow")).toBe(allow);
  });
});

describe("authentication", () => {
  const expectUnauthorized = (response: Awaited<ReturnType<Api["get"]>>, code: string) => {
    expectProblem(response, 401, code);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="coach"');
  };

  it("answers a request without a token with 401 and a WWW-Authenticate challenge", async () => {
    expectUnauthorized(await api.get("/api/sessions"), "auth.missing_token");
  });

  it.each(["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "bearer-token", "Token abc"])(
    "answers Authorization %j with 401 auth.missing_token",
    async (authorization) => {
      expectUnauthorized(await api.get("/api/sessions", { authorization }), "auth.missing_token");
    },
  );

  it("answers an expired token with 401 auth.token_expired", async () => {
    const token = stack.issuer.token(newUser(), { expiresInSeconds: -60 });
    const response = await api.get("/api/sessions", { authorization: `Bearer ${token}` });
    expectUnauthorized(response, "auth.token_expired");
    expect(response.body.detail).toBe("The token has expired");
  });

  it("answers a token signed by another key (a forger's issuer) with 401", async () => {
    const forged = foreignIssuer().token(newUser());
    expectUnauthorized(await api.get("/api/sessions", { authorization: `Bearer ${forged}` }), "auth.invalid_token");
  });

  it("answers a forger's token that reuses the real key id with 401", async () => {
    const forged = foreignIssuer().token(newUser());
    const { header, payload, signature } = splitJwt(forged);
    const realKid = splitJwt(stack.issuer.token("x")).header.kid;
    const sameKid = `${encodeJson({ ...header, kid: realKid })}.${encodeJson(payload)}.${signature}`;
    expectUnauthorized(await api.get("/api/sessions", { authorization: `Bearer ${sameKid}` }), "auth.invalid_token");
  });

  it("answers a token whose signature was tampered with with 401", async () => {
    const token = stack.issuer.token(newUser());
    const [head, body, signature] = token.split(".") as [string, string, string];
    const flipped = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
    expectUnauthorized(await api.get("/api/sessions", { authorization: `Bearer ${head}.${body}.${flipped}` }), "auth.invalid_token");
  });

  it("answers a token whose claims were changed after signing (another user's sub) with 401", async () => {
    const victim = newUser();
    await api.createSession(victim);
    const { encoded, payload, signature } = splitJwt(stack.issuer.token(newUser()));
    const tampered = `${encoded.header}.${encodeJson({ ...payload, sub: victim })}.${signature}`;
    expectUnauthorized(await api.get("/api/sessions", { authorization: `Bearer ${tampered}` }), "auth.invalid_token");
  });

  it("answers a token for another audience with 401", async () => {
    const token = stack.issuer.token(newUser(), { audience: "some-other-api" });
    expectUnauthorized(await api.get("/api/sessions", { authorization: `Bearer ${token}` }), "auth.invalid_token");
  });

  it("answers a token from another issuer name with 401", async () => {
    const token = stack.issuer.token(newUser(), { issuer: "https://evil.example" });
    expectUnauthorized(await api.get("/api/sessions", { authorization: `Bearer ${token}` }), "auth.invalid_token");
  });

  it("answers an unsigned token (alg none) with 401", async () => {
    const unsigned = `${encodeJson({ alg: "none", typ: "JWT" })}.${encodeJson(validClaims(newUser()))}.`;
    expectUnauthorized(await api.get("/api/sessions", { authorization: `Bearer ${unsigned}` }), "auth.invalid_token");
  });

  it("answers a validly signed token without a subject with 401", async () => {
    const { sub: _, ...claims } = validClaims("x");
    expectUnauthorized(await api.get("/api/sessions", { authorization: `Bearer ${signWithStackKey({}, claims)}` }), "auth.invalid_token");
    const empty = signWithStackKey({}, { ...claims, sub: "" });
    expectUnauthorized(await api.get("/api/sessions", { authorization: `Bearer ${empty}` }), "auth.invalid_token");
  });

  it("accepts a token the issuer really signed (the crafted-token helper is sound)", async () => {
    const response = await api.get("/api/sessions", { authorization: `Bearer ${signWithStackKey({}, validClaims(newUser()))}` });
    expect(response.status).toBe(200);
  });

  it.each(["garbage", "a.b.c", "eyJhbGciOiJSUzI1NiJ9..", "x".repeat(4000), "....."])("answers the garbage token %#: %s with 401", async (token) => {
    expectUnauthorized(await api.get("/api/sessions", { authorization: `Bearer ${token}` }), "auth.invalid_token");
  });

  it("checks the token before it looks at the session, so ids cannot be probed without one", async () => {
    const owner = newUser();
    const session = await api.createSession(owner);
    expectUnauthorized(await api.get(`/api/sessions/${session.id}`), "auth.missing_token");
    expectUnauthorized(await api.get("/api/sessions/ses_DOESNOTEXIST"), "auth.missing_token");
  });
});

describe("someone else's session", () => {
  it("answers 404 on every route, exactly as for a session that does not exist, and leaves it untouched", async () => {
    const owner = newUser();
    const session = await api.createSession(owner);
    const [, reply] = await appendMessages(owner, session.id, 2);
    const stranger = newUser();
    const missing = "ses_01J00000000000000000000000";
    const attempts = (id: string, messageId: string) => [
      () => api.get(`/api/sessions/${id}`, { as: stranger }),
      () => api.delete(`/api/sessions/${id}`, { as: stranger }),
      () => api.get(`/api/sessions/${id}/messages`, { as: stranger }),
      () => api.post(`/api/sessions/${id}/resume`, { as: stranger }),
      () => api.post(`/api/sessions/${id}/resolve`, { as: stranger, json: { notes: "mine now" } }),
      () => api.post(`/api/sessions/${id}/end`, { as: stranger }),
      () => api.post(`/api/sessions/${id}/messages/${messageId}/feedback`, { as: stranger, json: { rating: "down" } }),
      () => api.get(`/api/sessions/${id}/export`, { as: stranger }),
      () => api.get(`/api/sessions/${id}/export?format=markdown`, { as: stranger }),
    ];
    const theirs = await Promise.all(attempts(session.id, reply!.id).map((attempt) => attempt()));
    const nobodys = await Promise.all(attempts(missing, `${missing}.m2`).map((attempt) => attempt()));
    theirs.forEach((response, i) => {
      expectProblem(response, 404, "session.not_found");
      // Indistinguishable from a missing session, apart from the per-request ids.
      const strip = (body: Record<string, unknown>) => ({ ...body, traceId: undefined, instance: undefined });
      expect(strip(response.body)).toEqual(strip(nobodys[i]!.body));
    });

    const exported = await api.get(`/api/sessions/${session.id}/export`, { as: owner });
    // Still active, unresolved, without notes: only the owner's two messages changed it.
    expect(exported.body.session).toEqual({ ...session, messageCount: 2, lastActivity: expect.any(String), version: 3 });
    expect(exported.body.feedback).toEqual([]);
    expect(exported.body.messages).toHaveLength(2);
  });

  it("never lists another user's sessions", async () => {
    const owner = newUser();
    await api.createSession(owner);
    for (const type of ["recent", "active", "unresolved"]) {
      expect((await api.get(`/api/sessions?type=${type}`, { as: newUser() })).body).toEqual({ sessions: [], nextCursor: null });
    }
  });
});

describe("session ids that are not session ids", () => {
  it.each(["not valid!", "a%2Fb", "..", "%2E%2E", "x".repeat(65), "%ZZ", "ses_1%00", "%F0%9F%98%80", "ses_1'--"])(
    "answers GET /api/sessions/%s with 404",
    async (id) => {
      const response = await api.get(`/api/sessions/${id}`, { as: newUser() });
      expect(response.status).toBe(404);
      expectProblem(response, 404, response.body.code);
      expect(["route.not_found", "session.not_found"]).toContain(response.body.code);
    },
  );

  it("answers 404 for a message id longer than any message id", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    const response = await api.post(`/api/sessions/${session.id}/messages/${"m".repeat(200)}/feedback`, { as: user, json: { rating: "up" } });
    expectProblem(response, 404, "route.not_found");
  });
});

describe("paging cursors", () => {
  async function sessionsWithCursor(count = 3) {
    const user = newUser();
    for (let i = 0; i < count; i++) await api.createSession(user);
    const first = await api.get("/api/sessions?limit=1", { as: user });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    return { user, cursor: first.body.nextCursor as string };
  }

  it.each([
    ["not base64url", "!!!not-a-cursor!!!"],
    ["base64 of something that is not JSON", Buffer.from("hello world").toString("base64url")],
    ["a JSON payload of the wrong version", encodeJson({ v: 2, k: {} })],
    ["a JSON payload without a key", encodeJson({ v: 1 })],
    ["an overlong value", "A".repeat(3000)],
  ])("answers a cursor that is %s with 400 cursor.invalid", async (_, cursor) => {
    const { user } = await sessionsWithCursor(1);
    expectProblem(await api.get(`/api/sessions?cursor=${cursor}`, { as: user }), 400, "cursor.invalid");
  });

  it("answers a cursor with one character changed with 400 cursor.invalid", async () => {
    const { user, cursor } = await sessionsWithCursor();
    const tampered = cursor.slice(0, 10) + (cursor[10] === "A" ? "B" : "A") + cursor.slice(11);
    const response = await api.get(`/api/sessions?cursor=${tampered}`, { as: user });
    expectProblem(response, 400, "cursor.invalid");
  });

  it("answers a cursor re-pointed at another user's partition with 400", async () => {
    const { user, cursor } = await sessionsWithCursor();
    const victim = newUser();
    await api.createSession(victim);
    const key = decodeCursor(cursor).k;
    const moved = craftCursor({ ...key, gsi2pk: `USER#${victim}` });
    expectProblem(await api.get(`/api/sessions?cursor=${moved}`, { as: user }), 400, "cursor.invalid");
  });

  it("answers another user's cursor replayed by a different user with 400", async () => {
    const { cursor } = await sessionsWithCursor();
    const response = await api.get(`/api/sessions?limit=1&cursor=${cursor}`, { as: newUser() });
    expectProblem(response, 400, "cursor.invalid");
  });

  it("answers a cursor of one list replayed against another list of the same user with 400", async () => {
    const { user, cursor: recentCursor } = await sessionsWithCursor();
    const active = await api.get("/api/sessions?type=active&limit=1", { as: user });
    expectProblem(await api.get(`/api/sessions?type=active&cursor=${recentCursor}`, { as: user }), 400, "cursor.invalid");
    expectProblem(await api.get(`/api/sessions?type=unresolved&cursor=${active.body.nextCursor}`, { as: user }), 400, "cursor.invalid");
    expectProblem(await api.get(`/api/sessions?type=recent&cursor=${active.body.nextCursor}`, { as: user }), 400, "cursor.invalid");
  });

  it("answers a messages cursor replayed against another session of the same user with 400", async () => {
    const user = newUser();
    const one = await api.createSession(user);
    const other = await api.createSession(user);
    await appendMessages(user, one.id, 3);
    await appendMessages(user, other.id, 3);
    const page = await api.get(`/api/sessions/${one.id}/messages?limit=1`, { as: user });
    expect(page.body.nextCursor).toEqual(expect.any(String));
    expectProblem(await api.get(`/api/sessions/${other.id}/messages?cursor=${page.body.nextCursor}`, { as: user }), 400, "cursor.invalid");
  });

  it("answers a messages cursor replayed by another user against their own session with 400", async () => {
    const owner = newUser();
    const session = await api.createSession(owner);
    await appendMessages(owner, session.id, 3);
    const page = await api.get(`/api/sessions/${session.id}/messages?limit=1`, { as: owner });
    const thief = newUser();
    const own = await api.createSession(thief);
    expectProblem(await api.get(`/api/sessions/${own.id}/messages?cursor=${page.body.nextCursor}`, { as: thief }), 400, "cursor.invalid");
  });

  it.each([
    ["before the first message", "MSG#"],
    ["at sequence number zero", "MSG#0000000000"],
    ["past the last possible message", "MSG#zzzz"],
  ])("answers a well-formed messages cursor pointing %s (sk %s) with 400, not 500", async (_, sk) => {
    const user = newUser();
    const session = await api.createSession(user);
    await appendMessages(user, session.id, 3);
    const cursor = craftCursor({ pk: `SESSION#${session.id}`, sk });
    expectProblem(await api.get(`/api/sessions/${session.id}/messages?cursor=${cursor}`, { as: user }), 400, "cursor.invalid");
  });

  it.each([
    ["recent", (user: string) => ({ pk: "", sk: "", gsi2pk: `USER#${user}`, gsi2sk: "" })],
    ["active", (user: string) => ({ pk: "", sk: "", gsi1pk: `USER#${user}`, gsi1sk: "active#" })],
    ["recent", (user: string) => ({ pk: "SESSION#x", sk: "", gsi2pk: `USER#${user}`, gsi2sk: "2024" })],
  ])("answers a well-formed %s-list cursor with an empty key value (%#) with 400, not 500", async (type, key) => {
    const user = newUser();
    await api.createSession(user);
    const cursor = craftCursor(key(user));
    expectProblem(await api.get(`/api/sessions?type=${type}&cursor=${cursor}`, { as: user }), 400, "cursor.invalid");
  });

  it("accepts a crafted but well-formed cursor inside the caller's own list (it can only read the caller's data)", async () => {
    const user = newUser();
    const sessions = [await api.createSession(user), await api.createSession(user)];
    const cursor = craftCursor({ pk: "SESSION#ses_X", sk: "SESSION", gsi2pk: `USER#${user}`, gsi2sk: "9999-12-31T23:59:59.999Z#ses_X" });
    const response = await api.get(`/api/sessions?cursor=${cursor}`, { as: user });
    expect(response.status).toBe(200);
    expect(response.body.sessions.map((s: SessionBody) => s.id).sort()).toEqual(sessions.map((s) => s.id).sort());
  });

  it("rejects a crafted cursor whose keys do not have the list's key format", async () => {
    const user = newUser();
    const cursor = craftCursor({ pk: "SESSION#x", sk: "SESSION", gsi2pk: `USER#${user}`, gsi2sk: "9999" });
    const response = await api.get(`/api/sessions?cursor=${cursor}`, { as: user });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe("cursor.invalid");
  });
});

