import { describe, expect, it } from "vitest";
import { foreignIssuer, newUser } from "../support/api";
import { closeAllClients, connectRefusal, expectCleanTraffic, RealtimeClient, sendAndAwaitReply, storedMessages } from "./support/ws-client";
import { useRealtimeStack } from "./support/realtime-stack";
import { until } from "../../../local/test/fixtures/ws-client";

/**
 * Bad input on the WebSocket as users send it. Every bad frame gets a typed
 * session_error (never silence, never a dropped connection), after which a
 * ping still gets a pong; a bad token never opens a connection.
 */
const realtime = useRealtimeStack();
const connect = (user: string) => realtime.connect(user);

describe("frames the server cannot take", () => {
  const cases: { name: string; frame: (sessionId: string) => string | Buffer; code: "invalid_frame" | "unknown_action"; binary?: boolean }[] = [
    { name: "not JSON", frame: () => "hello there", code: "invalid_frame" },
    { name: "truncated JSON", frame: (id) => `{"action":"send_message","sessionId":"${id}"`, code: "invalid_frame" },
    { name: "an empty frame", frame: () => "", code: "invalid_frame" },
    { name: "a JSON string", frame: () => JSON.stringify("ping"), code: "invalid_frame" },
    { name: "a JSON array", frame: () => JSON.stringify([{ action: "ping" }]), code: "invalid_frame" },
    { name: "null", frame: () => "null", code: "invalid_frame" },
    { name: "no action", frame: (id) => JSON.stringify({ sessionId: id, content: "hi" }), code: "invalid_frame" },
    { name: "a numeric action", frame: () => JSON.stringify({ action: 42 }), code: "invalid_frame" },
    { name: "an unknown action", frame: (id) => JSON.stringify({ action: "delete_everything", sessionId: id }), code: "unknown_action" },
    { name: "a $-route as action", frame: () => JSON.stringify({ action: "$connect" }), code: "unknown_action" },
    { name: "an action in the wrong case", frame: () => JSON.stringify({ action: "PING" }), code: "unknown_action" },
    { name: "send_message with a numeric content", frame: (id) => JSON.stringify({ action: "send_message", sessionId: id, clientMessageId: "c1", content: 5 }), code: "invalid_frame" },
    { name: "send_message without clientMessageId", frame: (id) => JSON.stringify({ action: "send_message", sessionId: id, content: "hi" }), code: "invalid_frame" },
    { name: "send_message with empty content", frame: (id) => JSON.stringify({ action: "send_message", sessionId: id, clientMessageId: "c1", content: "" }), code: "invalid_frame" },
    { name: "send_message with an object sessionId", frame: () => JSON.stringify({ action: "send_message", sessionId: { $ne: null }, clientMessageId: "c1", content: "hi" }), code: "invalid_frame" },
    { name: "send_message with a 200-char clientMessageId", frame: (id) => JSON.stringify({ action: "send_message", sessionId: id, clientMessageId: "x".repeat(200), content: "hi" }), code: "invalid_frame" },
    { name: "join_session with a negative afterSeq", frame: (id) => JSON.stringify({ action: "join_session", sessionId: id, afterSeq: -1 }), code: "invalid_frame" },
    { name: "join_session with a fractional afterSeq", frame: (id) => JSON.stringify({ action: "join_session", sessionId: id, afterSeq: 1.5 }), code: "invalid_frame" },
    { name: "join_session with a path-like sessionId", frame: () => JSON.stringify({ action: "join_session", sessionId: "../../etc/passwd" }), code: "invalid_frame" },
    { name: "a binary frame", frame: () => Buffer.from([0xde, 0xad, 0xbe, 0xef]), code: "invalid_frame", binary: true },
    { name: "a 100 KB content (over 16,000 characters)", frame: (id) => JSON.stringify({ action: "send_message", sessionId: id, clientMessageId: "c-big", content: "a".repeat(100 * 1024) }), code: "invalid_frame" },
  ];

  for (const testCase of cases) {
    it(`${testCase.name} → session_error ${testCase.code}; the connection stays usable`, async () => {
      const user = newUser();
      const session = await realtime.api.createSession(user);
      const client = await connect(user);
      const from = client.mark();
      const frame = testCase.frame(session.id);
      client.sendRaw(frame, testCase.binary);
      const error = await client.waitFor("session_error", () => true, { from });
      expect(error).toMatchObject({ code: testCase.code, retryable: false, requestId: expect.any(String), message: expect.any(String) });
      expect(error.message).not.toMatch(/\bat \S+ \(|node_modules|\/work\/|\.ts:\d+|ZodError/);
      await client.ping();
      expect(client.events.slice(from).map((event) => event.type)).toEqual(["session_error", "pong"]);
      // Nothing was stored for it.
      expect(await storedMessages(realtime.api, user, session.id)).toEqual([]);
    });
  }

  it("an unknown action's error names the known actions", async () => {
    const client = await connect(newUser());
    const error = await client.expectError(JSON.stringify({ action: "subscribe" }), "unknown_action");
    expect(error.message).toContain("send_message");
  });

  it("a 200 KB frame (over API Gateway's 128 KB message limit) closes the connection with 1009", async () => {
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const client = await connect(user);
    const opened = realtime.stack.connectionCount();
    client.sendRaw(JSON.stringify({ action: "send_message", sessionId: session.id, clientMessageId: "c-huge", content: "a".repeat(200 * 1024) }));
    const closed = await client.closed;
    expect(closed.code).toBe(1009);
    expect(await storedMessages(realtime.api, user, session.id)).toEqual([]);
    await until(() => realtime.stack.connectionCount() < opened);
    expect(realtime.stack.connectionCount()).toBe(opened - 1);
    // The user simply reconnects.
    const again = await connect(user);
    await again.ping();
  });
});

describe("frames about sessions the caller may not use", () => {
  it("another user's sessionId → not_found on join_session, send_message and get_session_status (leave_session reveals nothing), and nothing is written to it", async () => {
    const owner = newUser();
    const intruder = newUser();
    const session = await realtime.api.createSession(owner);
    const client = await connect(intruder);
    for (const frame of [
      { action: "join_session", sessionId: session.id },
      { action: "send_message", sessionId: session.id, clientMessageId: "c-steal", content: "mine now" },
      { action: "get_session_status", sessionId: session.id },
    ] as const) {
      const error = await client.expectError(frame, "not_found");
      expect(error).toMatchObject({ retryable: false, sessionId: session.id });
      expect(error.message).not.toContain(owner);
      await client.ping();
    }
    expect(await storedMessages(realtime.api, owner, session.id)).toEqual([]);
    // leave_session only drops the caller's own subscription: it answers the same for someone else's session
    // as for one that does not exist, so it tells nothing about either.
    const leftOther = await client.request({ action: "leave_session", sessionId: session.id }, "session_left");
    const leftNone = await client.request({ action: "leave_session", sessionId: "ses_01ARZ3NDEKTSV4RRFFQ69G5FAV" }, "session_left");
    expect([leftOther.sessionId, leftNone.sessionId]).toEqual([session.id, "ses_01ARZ3NDEKTSV4RRFFQ69G5FAV"]);
    // The intruder is not subscribed: the owner's turn streams to the owner only.
    const ownerClient = await connect(owner);
    const mark = client.mark();
    await sendAndAwaitReply(ownerClient, session.id, "c-own-1", "Reach profitability");
    await client.ping();
    expect(client.events.slice(mark).map((event) => event.type)).toEqual(["pong"]);
  });

  it("a session id that does not exist → not_found", async () => {
    const client = await connect(newUser());
    await client.expectError({ action: "join_session", sessionId: "ses_01ARZ3NDEKTSV4RRFFQ69G5FAV" }, "not_found");
    await client.ping();
  });

  it("send_message to an ended session → session_not_active, nothing stored", async () => {
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const client = await connect(user);
    await sendAndAwaitReply(client, session.id, "c-before-end", "Before the end");
    const ended = await realtime.api.post(`/api/sessions/${session.id}/end`, { as: user });
    expect(ended.status, ended.text).toBe(200);
    const error = await client.expectError({ action: "send_message", sessionId: session.id, clientMessageId: "c-after-end", content: "After the end" }, "session_not_active");
    expect(error).toMatchObject({ retryable: false, sessionId: session.id, clientMessageId: "c-after-end" });
    await client.ping();
    expect((await storedMessages(realtime.api, user, session.id)).map((message) => message.seq)).toEqual([1, 2]);
  });
});

describe("$connect", () => {
  const refused = async (query: string) => {
    const before = realtime.stack.connectionCount();
    const refusal = await connectRefusal(`${realtime.stack.wsUrl}/${query}`);
    expect(refusal.status, refusal.body).toBe(401);
    expect(refusal.body).not.toMatch(/\bat \S+ \(|node_modules|\/work\//);
    expect(realtime.stack.connectionCount()).toBe(before);
    return refusal;
  };

  it("without a token → 401, no connection", async () => {
    await refused("");
    await refused("?token=");
  });

  it("with an expired token → 401, no connection", async () => {
    await refused(`?token=${realtime.stack.issuer.token(newUser(), { expiresInSeconds: -60 })}`);
  });

  it("with a forged token (signed by another key) → 401, no connection", async () => {
    await refused(`?token=${foreignIssuer().token(newUser())}`);
  });

  it("with a token for another audience or issuer, or garbage → 401, no connection", async () => {
    await refused(`?token=${realtime.stack.issuer.token(newUser(), { audience: "someone-else" })}`);
    await refused(`?token=${realtime.stack.issuer.token(newUser(), { issuer: "https://evil.example" })}`);
    await refused("?token=not.a.jwt");
    const [header, payload] = realtime.stack.issuer.token(newUser()).split(".");
    await refused(`?token=${header}.${payload}.`);
  });

  it("with a valid token opens, and the connection answers a ping", async () => {
    const before = realtime.stack.connectionCount();
    const client = await connect(newUser());
    expect(realtime.stack.connectionCount()).toBe(before + 1);
    expect((await client.ping()).at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });
});
