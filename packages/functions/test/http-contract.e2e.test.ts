import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withActor } from "@coach/core/actor";
import * as Conversation from "@coach/core/conversation";
import { testStackConfig } from "../../../test/env";
import { startLocalStack, type LocalStack } from "../../local/src/stack";
import {
  apiClient,
  craftCursor,
  expectNoInternals,
  expectProblem,
  expectStandardHeaders,
  foreignIssuer,
  newUser,
  ORIGIN,
  type Api,
  type ApiResponse,
  type CallOptions,
  type SessionBody,
} from "./support/api";

/**
 * What every response promises, whatever the route: problems are RFC 7807
 * with a trace id and nothing internal, CORS and security headers are on
 * successes and errors alike, preflights are answered, and no bad input
 * ever makes the server answer 5xx.
 */
let stack: LocalStack;
let api: Api;

/** One user with one session holding a user message (m1) and an assistant reply (m2); plus a stranger's session. */
let owner: string;
let session: SessionBody;
let reply: Conversation.Message;
let strangersSession: SessionBody;

beforeAll(async () => {
  stack = await startLocalStack(testStackConfig());
  api = apiClient(stack);
  owner = newUser();
  session = await api.createSession(owner);
  const messages = await withActor({ type: "user", userId: owner }, async () => [
    await Conversation.appendMessage({ sessionId: session.id, role: "user", content: "Help me set an objective" }),
    await Conversation.appendMessage({ sessionId: session.id, role: "assistant", content: "What matters most this quarter?" }),
  ]);
  reply = messages[1]!;
  strangersSession = await api.createSession(newUser());
});

afterAll(async () => {
  await stack?.stop();
});

describe("problem responses", () => {
  const cases: [string, () => Promise<ApiResponse>, number, string][] = [
    ["malformed JSON", () => api.post("/api/sessions", { as: newUser(), body: "{", headers: { "content-type": "application/json" } }), 400, "request.malformed_json"],
    ["a wrong type", () => api.post("/api/sessions", { as: newUser(), json: { flow: [] } }), 400, "request.invalid_body"],
    ["a bad query", () => api.get("/api/sessions?limit=x", { as: newUser() }), 400, "request.invalid_query"],
    ["a tampered cursor", () => api.get("/api/sessions?cursor=abc", { as: newUser() }), 400, "cursor.invalid"],
    ["a missing token", () => api.get("/api/sessions"), 401, "auth.missing_token"],
    ["a forged token", () => api.get("/api/sessions", { authorization: `Bearer ${foreignIssuer().token(newUser())}` }), 401, "auth.invalid_token"],
    ["someone else's session", () => api.get(`/api/sessions/${strangersSession.id}`, { as: owner }), 404, "session.not_found"],
    ["an unknown route", () => api.get("/api/unknown", { as: owner }), 404, "route.not_found"],
    ["a wrong method", () => api.call("PUT", `/api/sessions/${session.id}`, { as: owner }), 405, "route.method_not_allowed"],
    ["a conflict", async () => {
      const user = newUser();
      const resolved = await api.createSession(user);
      await api.post(`/api/sessions/${resolved.id}/resolve`, { as: user });
      return api.post(`/api/sessions/${resolved.id}/resume`, { as: user });
    }, 409, "session.resolved"],
    ["a body over 64 KB", () => api.post("/api/sessions", { as: newUser(), json: { metadata: { x: "y".repeat(70_000) } } }), 413, "request.too_large"],
    ["a wrong content type", () => api.post("/api/sessions", { as: newUser(), body: "flow=okr", headers: { "content-type": "text/plain" } }), 415, "request.unsupported_media_type"],
  ];

  it.each(cases)("for %s: application/problem+json with type, title, status, detail, code and traceId echoed in x-trace-id, no internals", async (_, send, status, code) => {
    const response = await send();
    expectProblem(response, status, code);
    expect(response.body.title).toBe(
      { 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 413: "Payload Too Large", 415: "Unsupported Media Type" }[status],
    );
  });

  it("gives every request its own trace id", async () => {
    const traceIds = await Promise.all([1, 2, 3].map(async () => (await api.get("/api/sessions")).body.traceId as string));
    expect(new Set(traceIds).size).toBe(3);
  });
});

describe("CORS and security headers", () => {
  it("are on a successful response", async () => {
    const response = await api.get(`/api/sessions/${session.id}`, { as: owner });
    expect(response.status).toBe(200);
    expectStandardHeaders(response);
    expect(response.headers.get("access-control-expose-headers")).toContain("x-trace-id");
  });

  it.each([
    ["401", () => api.get("/api/sessions")],
    ["400", () => api.post("/api/sessions", { as: newUser(), body: "{", headers: { "content-type": "application/json" } })],
    ["404 from a handler", () => api.get("/api/sessions/ses_NOPE", { as: newUser() })],
    ["413 from a handler", () => api.post("/api/sessions", { as: newUser(), json: { metadata: { x: "y".repeat(70_000) } } })],
  ])("are on an error response (%s)", async (_, send) => {
    const response = await send();
    expect(response.status).toBeGreaterThanOrEqual(400);
    expectStandardHeaders(response);
  });

  // The deployed API adds CORS headers to the errors API Gateway answers itself (Default4xx/Default5xx gateway responses in stacks/Api.ts).
  it.each([
    ["an unknown route (404)", () => api.get("/api/unknown", { as: owner })],
    ["a wrong method (405)", () => api.call("PUT", "/api/sessions", { as: owner })],
  ])("let a browser read the error for %s (access-control-allow-origin)", async (_, send) => {
    const response = await send();
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("answers a CORS preflight on a known route with 204 and the allowed methods and headers", async () => {
    const response = await api.call("OPTIONS", `/api/sessions/${session.id}`, {
      headers: { origin: ORIGIN, "access-control-request-method": "DELETE", "access-control-request-headers": "authorization,content-type" },
    });
    expect(response.status).toBe(204);
    expect(response.text).toBe("");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-methods")?.split(",")).toEqual(expect.arrayContaining(["GET", "POST", "DELETE", "OPTIONS"]));
    expect(response.headers.get("access-control-allow-headers")?.split(",")).toEqual(expect.arrayContaining(["authorization", "content-type"]));
  });

  it("answers a preflight without a token (browsers never send one)", async () => {
    const response = await api.call("OPTIONS", "/api/sessions", { headers: { origin: ORIGIN, "access-control-request-method": "POST" } });
    expect(response.status).toBe(204);
  });
});

describe("no request answers 500 for bad input", () => {
  const huge = "x".repeat(70_000);
  const sid = () => session.id;
  const post = (path: string, options: CallOptions) => () => api.post(path, options);
  const get = (path: string, options: CallOptions = {}) => () => api.get(path, options);
  const json = { "content-type": "application/json" };

  const cases: [string, () => Promise<ApiResponse>][] = [
    // POST /api/sessions
    ["create: truncated JSON", () => api.post("/api/sessions", { as: owner, body: '{"flow":', headers: json })],
    ["create: JSON null", () => api.post("/api/sessions", { as: owner, body: "null", headers: json })],
    ["create: a bare number", () => api.post("/api/sessions", { as: owner, body: "1e999", headers: json })],
    ["create: flow null", post("/api/sessions", { as: owner, json: { flow: null } })],
    ["create: metadata an array", post("/api/sessions", { as: owner, json: { metadata: [1, 2] } })],
    ["create: metadata a string", post("/api/sessions", { as: owner, json: { metadata: "x" } })],
    ["create: oversized metadata", post("/api/sessions", { as: owner, json: { metadata: { a: "x".repeat(9000) } } })],
    ["create: deeply nested metadata", post("/api/sessions", { as: owner, body: `{"metadata":${"{\"a\":".repeat(500)}1${"}".repeat(500)}}`, headers: json })],
    ["create: __proto__ pollution", () => api.post("/api/sessions", { as: owner, body: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}', headers: json })],
    ["create: invalid UTF-8 bytes", () => api.post("/api/sessions", { as: owner, body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), headers: json })],
    ["create: UTF-16 charset", () => api.post("/api/sessions", { as: owner, body: Buffer.from("{}", "utf16le"), headers: { "content-type": "application/json; charset=utf-16" } })],
    ["create: form body", () => api.post("/api/sessions", { as: owner, body: "flow=okr", headers: { "content-type": "application/x-www-form-urlencoded" } })],
    ["create: binary body", () => api.post("/api/sessions", { as: owner, body: Buffer.alloc(2048, 0xab), headers: { "content-type": "application/octet-stream" } })],
    ["create: 70 KB body", post("/api/sessions", { as: owner, json: { metadata: { a: huge } } })],
    ["create: empty content-type", () => api.post("/api/sessions", { as: owner, body: "{}", headers: { "content-type": "" } })],
    // GET /api/sessions
    ["list: limit=abc", get("/api/sessions?limit=abc", { as: owner })],
    ["list: limit=0", get("/api/sessions?limit=0", { as: owner })],
    ["list: limit=100000", get("/api/sessions?limit=100000", { as: owner })],
    ["list: type=../../etc", get("/api/sessions?type=..%2F..%2Fetc", { as: owner })],
    ["list: garbage cursor", get("/api/sessions?cursor=%00%01", { as: owner })],
    ["list: cursor for another user", () => api.get(`/api/sessions?cursor=${craftCursor({ pk: "a", sk: "b", gsi2pk: "USER#someone-else", gsi2sk: "c" })}`, { as: owner })],
    ["list: cursor with extra attributes", () => api.get(`/api/sessions?cursor=${craftCursor({ pk: "a", sk: "b", gsi2pk: `USER#${owner}`, gsi2sk: "c", x: "y" })}`, { as: owner })],
    ["list: cursor with empty key values", () => api.get(`/api/sessions?cursor=${craftCursor({ pk: "", sk: "", gsi2pk: `USER#${owner}`, gsi2sk: "" })}`, { as: owner })],
    ["list: repeated parameters", get("/api/sessions?type=active&type=bogus&limit=1&limit=x", { as: owner })],
    // GET /api/sessions/{id} and DELETE
    ["get: id with a slash", get("/api/sessions/a%2F..%2Fb", { as: owner })],
    ["get: id with NUL", get("/api/sessions/%00", { as: owner })],
    ["get: broken percent-encoding", get("/api/sessions/%E0%A4%A", { as: owner })],
    ["get: 1000-character id", get(`/api/sessions/${"a".repeat(1000)}`, { as: owner })],
    ["get: stranger's session", () => api.get(`/api/sessions/${strangersSession.id}`, { as: owner })],
    ["delete: stranger's session", () => api.delete(`/api/sessions/${strangersSession.id}`, { as: owner })],
    ["delete: invalid id", () => api.delete("/api/sessions/..", { as: owner })],
    // GET messages
    ["messages: afterSeq=-1", () => api.get(`/api/sessions/${sid()}/messages?afterSeq=-1`, { as: owner })],
    ["messages: afterSeq=1e9", () => api.get(`/api/sessions/${sid()}/messages?afterSeq=1e9`, { as: owner })],
    ["messages: afterSeq=999999", () => api.get(`/api/sessions/${sid()}/messages?afterSeq=999999`, { as: owner })],
    ["messages: limit=500", () => api.get(`/api/sessions/${sid()}/messages?limit=500`, { as: owner })],
    ["messages: cursor and afterSeq", () => api.get(`/api/sessions/${sid()}/messages?afterSeq=1&cursor=${craftCursor({ pk: `SESSION#${sid()}`, sk: "MSG#0000000001" })}`, { as: owner })],
    ["messages: cursor for another session", () => api.get(`/api/sessions/${sid()}/messages?cursor=${craftCursor({ pk: "SESSION#other", sk: "MSG#0000000001" })}`, { as: owner })],
    ["messages: cursor before the range", () => api.get(`/api/sessions/${sid()}/messages?cursor=${craftCursor({ pk: `SESSION#${sid()}`, sk: "MSG#" })}`, { as: owner })],
    ["messages: cursor past the range", () => api.get(`/api/sessions/${sid()}/messages?cursor=${craftCursor({ pk: `SESSION#${sid()}`, sk: "MSG#~" })}`, { as: owner })],
    ["messages: stranger's session", () => api.get(`/api/sessions/${strangersSession.id}/messages`, { as: owner })],
    // resume / resolve / end
    ["resume: stranger's session", () => api.post(`/api/sessions/${strangersSession.id}/resume`, { as: owner })],
    ["resume: with a junk body", () => api.post(`/api/sessions/${sid()}/resume`, { as: owner, body: "}{", headers: json })],
    ["resolve: notes a number", () => api.post(`/api/sessions/${sid()}/resolve`, { as: owner, json: { notes: 5 } })],
    ["resolve: notes too long", () => api.post(`/api/sessions/${sid()}/resolve`, { as: owner, json: { notes: "n".repeat(5000) } })],
    ["resolve: malformed JSON", () => api.post(`/api/sessions/${sid()}/resolve`, { as: owner, body: "{notes:", headers: json })],
    ["resolve: text body", () => api.post(`/api/sessions/${sid()}/resolve`, { as: owner, body: "done", headers: { "content-type": "text/plain" } })],
    ["resolve: 70 KB body", () => api.post(`/api/sessions/${sid()}/resolve`, { as: owner, json: { notes: huge } })],
    ["end: stranger's session", () => api.post(`/api/sessions/${strangersSession.id}/end`, { as: owner })],
    ["end: invalid id", () => api.post("/api/sessions/%20/end", { as: owner })],
    // feedback
    ["feedback: rating missing", () => api.post(`/api/sessions/${sid()}/messages/${reply.id}/feedback`, { as: owner, json: {} })],
    ["feedback: rating 5", () => api.post(`/api/sessions/${sid()}/messages/${reply.id}/feedback`, { as: owner, json: { rating: 5 } })],
    ["feedback: comment too long", () => api.post(`/api/sessions/${sid()}/messages/${reply.id}/feedback`, { as: owner, json: { rating: "up", comment: "c".repeat(2001) } })],
    ["feedback: comment an object", () => api.post(`/api/sessions/${sid()}/messages/${reply.id}/feedback`, { as: owner, json: { rating: "up", comment: {} } })],
    ["feedback: on the user's message", () => api.post(`/api/sessions/${sid()}/messages/${sid()}.m1/feedback`, { as: owner, json: { rating: "up" } })],
    ["feedback: sequence number 0", () => api.post(`/api/sessions/${sid()}/messages/${sid()}.m0/feedback`, { as: owner, json: { rating: "up" } })],
    ["feedback: huge sequence number", () => api.post(`/api/sessions/${sid()}/messages/${sid()}.m99999999999/feedback`, { as: owner, json: { rating: "up" } })],
    ["feedback: largest sequence number", () => api.post(`/api/sessions/${sid()}/messages/${sid()}.m9999999999/feedback`, { as: owner, json: { rating: "up" } })],
    ["feedback: another session's message id", () => api.post(`/api/sessions/${sid()}/messages/${strangersSession.id}.m1/feedback`, { as: owner, json: { rating: "up" } })],
    ["feedback: stranger's session", () => api.post(`/api/sessions/${strangersSession.id}/messages/${strangersSession.id}.m1/feedback`, { as: owner, json: { rating: "up" } })],
    ["feedback: empty-looking message id", () => api.post(`/api/sessions/${sid()}/messages/%20/feedback`, { as: owner, json: { rating: "up" } })],
    ["feedback: 300-character message id", () => api.post(`/api/sessions/${sid()}/messages/${"m".repeat(300)}/feedback`, { as: owner, json: { rating: "up" } })],
    // export
    ["export: format=xml", () => api.get(`/api/sessions/${sid()}/export?format=xml`, { as: owner })],
    ["export: format empty", () => api.get(`/api/sessions/${sid()}/export?format=`, { as: owner })],
    ["export: stranger's session", () => api.get(`/api/sessions/${strangersSession.id}/export?format=markdown`, { as: owner })],
    // tokens on every route kind
    ["garbage token on create", () => api.post("/api/sessions", { authorization: "Bearer not.a.jwt", json: {} })],
    ["garbage token on feedback", () => api.post(`/api/sessions/${sid()}/messages/${reply.id}/feedback`, { authorization: "Bearer \u00ff\u00fe", json: { rating: "up" } })],
    ["expired token on export", () => api.get(`/api/sessions/${sid()}/export`, { authorization: `Bearer ${stack.issuer.token(owner, { expiresInSeconds: -5 })}` })],
    ["wrong audience on delete", () => api.delete(`/api/sessions/${sid()}`, { authorization: `Bearer ${stack.issuer.token(owner, { audience: "x" })}` })],
    ["forged token on resolve", () => api.post(`/api/sessions/${sid()}/resolve`, { authorization: `Bearer ${foreignIssuer().token(owner)}` })],
    ["an 8 KB authorization header", () => api.get("/api/sessions", { authorization: `Bearer ${"a".repeat(8000)}` })],
    // routing
    ["unknown route", get("/api/sessions/x/y/z", { as: owner })],
    ["wrong method", () => api.call("PATCH", "/api/sessions", { as: owner })],
    ["path traversal", get("/api/../../etc/passwd", { as: owner })],
    ["double slashes", get("//api//sessions", { as: owner })],
  ];

  // Some of these are harmless and may succeed (unknown members are ignored); none may fail on the server's side.
  it.each(cases)("%s → below 500, and a problem+json when rejected", async (_, send) => {
    const response = await send();
    expect(response.status, response.text).toBeLessThan(500);
    if (response.status >= 400) expect(response.headers.get("content-type")).toBe("application/problem+json");
    expectNoInternals(response.text);
  });

  it("leaves the owner's session intact after all of the above", async () => {
    const response = await api.get(`/api/sessions/${session.id}`, { as: owner });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: session.id, messageCount: 2 });
  });
});
