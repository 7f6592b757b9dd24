import { okr } from "../../packages/core/src/okr/flow";
import type { BenchTarget } from "./targets";
import { BenchSocket, type ReceivedFrame, type RuntimeLog } from "./ws-client";

type ConversationModule = typeof import("@coach/core/conversation");

/** What a scenario can use: the running local stack, a token, the seeded data and core (for set-up only). */
export interface ScenarioContext {
  baseUrl: string;
  /** The local WebSocket API (`?token=` on connect). */
  wsUrl: string;
  token: string;
  userId: string;
  seed: { sessionId: string; messageId: string; resolveSessionId: string };
  Conversation: ConversationModule;
  /** Runs a core call as the bench user (core asserts an actor). */
  asUser<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs a core call as another user. */
  as<T>(userId: string, fn: () => Promise<T>): Promise<T>;
  /** A token of the dev issuer for any user. */
  tokenFor(userId: string): string;
  /** The local stack's development API key (machine clients: the tracking and OpenAI-compatible APIs). */
  apiKey: string;
  /** Handler completions, from the local runtime's log. */
  runtime: RuntimeLog;
  /** DynamoDB calls since the sample started (just before `invoke`). */
  callsSoFar(): Record<string, number>;
  /** Time inside DynamoDB sends since the sample started. */
  dynamoMsSoFar(): number;
  /** Posts to WebSocket connections (as the local `@connections` emulation received them) since the sample started. */
  postsSoFar(): number;
}

export type Params = Record<string, string>;

/**
 * One representative request of a route. `setup` runs before every request,
 * outside the timing and the call count, to restore the precondition the
 * request needs (e.g. an ended session for resume); it may return path
 * parameters for the request.
 */
export interface Scenario {
  description: string;
  /** An HTTP status, or for WebSocket routes and workers the server event that answers (see `replyStatus`). */
  expectStatus: number | string;
  setup?: (ctx: ScenarioContext) => Promise<Params | void>;
  invoke: (ctx: ScenarioContext, target: BenchTarget, params: Params) => Promise<InvokeResult>;
  /** Runs after each request, outside the timing and the call count (e.g. closing a WebSocket and waiting for its `$disconnect`). */
  teardown?: (ctx: ScenarioContext) => Promise<void>;
}

/**
 * What one request gave. By default the runner counts every DynamoDB call
 * from just before `invoke` until it returns, and times the whole `invoke`;
 * a scenario that must read them at another moment (a WebSocket route, whose
 * frame starts asynchronous work) returns them itself.
 */
export interface InvokeResult {
  status: number | string;
  calls?: Record<string, number>;
  ms?: number;
  dynamoMs?: number;
  /** Posts to connections attributed to the request (default: all since it started). */
  posts?: number;
}

interface HttpScenarioSpec {
  description: string;
  expectStatus: number;
  setup?: Scenario["setup"];
  query?: string | (() => string);
  /** The request body; a function gets the path parameters from `setup`. */
  body?: unknown | ((params: Params) => unknown);
  /** Sends the dev API key instead of the bench user's token. */
  apiKey?: boolean;
  /** Overrides of the default path parameters (`id`: the seeded session, `messageId`: its assistant message). */
  params?: (ctx: ScenarioContext) => Params;
}

/** A request through the local API Gateway emulation, with the bench user's bearer token. */
function http(spec: HttpScenarioSpec): Scenario {
  return {
    description: spec.description,
    expectStatus: spec.expectStatus,
    ...(spec.setup ? { setup: spec.setup } : {}),
    invoke: async (ctx, target, params) => {
      if (target.kind !== "http") throw new Error(`${target.key}: an HTTP scenario on a ${target.kind} route`);
      const values: Params = { id: ctx.seed.sessionId, messageId: ctx.seed.messageId, ...spec.params?.(ctx), ...params };
      const path = target.path.replace(/\{(\w+)\}/g, (_, name: string) => {
        const value = values[name];
        if (value === undefined) throw new Error(`${target.key}: no value for path parameter {${name}}`);
        return encodeURIComponent(value);
      });
      const query = typeof spec.query === "function" ? spec.query() : (spec.query ?? "");
      const body = typeof spec.body === "function" ? (spec.body as (p: Params) => unknown)(values) : spec.body;
      const response = await fetch(`${ctx.baseUrl}${path}${query}`, {
        method: target.method,
        headers: {
          authorization: `Bearer ${spec.apiKey ? ctx.apiKey : ctx.token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      await response.arrayBuffer();
      return { status: response.status };
    },
  };
}

/** Creates a tracking resource with the dev API key, outside the measurement; returns its id. */
async function tracked(ctx: ScenarioContext, path: string, body: unknown): Promise<string> {
  const response = await fetch(`${ctx.baseUrl}/api/tracking/${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${ctx.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`set-up POST /api/tracking/${path}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/** Stores a response of the bench user (a new chat session), outside the measurement; returns its id. */
async function benchResponse(ctx: ScenarioContext): Promise<string> {
  const response = await fetch(`${ctx.baseUrl}/v1/responses`, {
    method: "POST",
    headers: { authorization: `Bearer ${ctx.token}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "coach", input: "Suggest a key result for onboarding." }),
  });
  if (!response.ok) throw new Error(`set-up POST /v1/responses: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/** A questionnaire template of 3 questions; `title` makes its content (and so a PUT of it) new. */
const benchTemplate = (title = "Bench intake") => ({
  title,
  questions: [
    { id: "name", text: "Your name?", kind: "text" },
    { id: "email", text: "Your email?", kind: "email" },
    { id: "plan", text: "Which plan?", kind: "choice", options: ["Free", "Team"] },
  ],
  document: { title: "Intake", body: "# Intake\n\n| Name | Email | Plan |\n| --- | --- | --- |\n| {{name}} | {{email}} | {{plan}} |" },
});

/** Puts a template with the dev API key, outside the measurement; returns its id. */
async function template(ctx: ScenarioContext, id: string): Promise<string> {
  const response = await fetch(`${ctx.baseUrl}/api/templates/${id}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${ctx.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(benchTemplate()),
  });
  if (!response.ok) throw new Error(`set-up PUT /api/templates/${id}: ${response.status} ${await response.text()}`);
  return id;
}
let templateEdits = 0;

const trackingSession = (ctx: ScenarioContext) => tracked(ctx, "sessions", { projectId: "bench" });
const trackingMachine = (ctx: ScenarioContext) => tracked(ctx, "machines", { hostname: "bench-host", capacity: 4 });
const today = () => new Date().toISOString().slice(0, 10);

/** A fresh session with a user and an assistant message and feedback on the latter: what a real delete removes. */
async function freshSessionWithChildren(ctx: ScenarioContext): Promise<Params> {
  return ctx.asUser(async () => {
    const session = await ctx.Conversation.create({}, okr);
    await ctx.Conversation.appendMessage({ sessionId: session.id, role: "user", content: "How do I write a key result?" });
    const reply = await ctx.Conversation.appendMessage({ sessionId: session.id, role: "assistant", content: "Make it measurable." });
    await ctx.Conversation.giveFeedback({ sessionId: session.id, messageId: reply.id, rating: "up" });
    return { id: session.id };
  });
}

/** A document of the bench user, as a completed questionnaire would store it (with a session, so a delete removes its marker too). */
async function benchDocument(ctx: ScenarioContext): Promise<Params> {
  const Documents = await import("@coach/core/document");
  const document = await Documents.createDocument({
    userId: ctx.userId,
    title: "Bench OKRs",
    markdown: "# Bench OKRs\n\n| Key result | Target |\n| --- | --- |\n| Weekly active teams | 120 |\n",
    sessionId: `ses_bench_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`,
  });
  return { id: document.id };
}

const WS_TIMEOUT_MS = 10_000;
/** Users of the WebSocket scenarios: their own, so their sends never share a rate-limit window with the REST ones. */
const WS_USER = "bench-ws-user";
const WORKER_USER = "bench-worker-user";

/** The `status` of a WebSocket reply: its event type, and the error code for a session_error. */
export function replyStatus(frame: ReceivedFrame): string {
  const { type, code } = frame.event;
  return type === "session_error" ? `session_error (${String(code)})` : String(type);
}

/** A fresh okr session of `userId`, with `messages` earlier messages (user, assistant, …). */
async function freshSession(ctx: ScenarioContext, userId: string, messages = 0): Promise<string> {
  return ctx.as(userId, async () => {
    const session = await ctx.Conversation.create({}, okr);
    for (let i = 0; i < messages; i++) {
      await ctx.Conversation.appendMessage({
        sessionId: session.id,
        role: i % 2 === 0 ? "user" : "assistant",
        content: i % 2 === 0 ? "I want to set OKRs for my team." : "Great. What is the one outcome that matters most this quarter?",
      });
    }
    return session.id;
  });
}

/** Per-request state of a WebSocket scenario (requests run one after another). */
interface WsState {
  socket?: BenchSocket;
  sessionId?: string;
}

/** Closes the state's socket and waits until the runtime has run its `$disconnect`, so those calls never land in the next request. */
async function closeAndSettle(ctx: ScenarioContext, state: WsState): Promise<void> {
  const socket = state.socket;
  state.socket = undefined;
  if (!socket?.isOpen) return;
  const target = ctx.runtime.completed("WS $disconnect") + 1;
  await socket.close();
  await ctx.runtime.waitFor("WS $disconnect", target, WS_TIMEOUT_MS);
}

async function openAndJoin(ctx: ScenarioContext, state: WsState, userId: string, options: { messages: number; join: boolean }): Promise<void> {
  state.sessionId = await freshSession(ctx, userId, options.messages);
  state.socket = await BenchSocket.open(ctx.wsUrl, ctx.tokenFor(userId), WS_TIMEOUT_MS);
  if (!options.join) return;
  const done = ctx.runtime.completed("WS join_session") + 1;
  const from = state.socket.frames.length;
  state.socket.send({ action: "join_session", sessionId: state.sessionId });
  const joined = await state.socket.waitFor((frame) => frame.event.type === "session_joined" || frame.event.type === "session_error", WS_TIMEOUT_MS, from);
  if (joined.event.type !== "session_joined") throw new Error(`set-up: join_session answered ${replyStatus(joined)}`);
  await ctx.runtime.waitFor("WS join_session", done, WS_TIMEOUT_MS);
}

interface WsFrameSpec {
  description: string;
  /** The event type that answers the frame (or `session_error (code)`). */
  expectStatus: string;
  /** Set-up before each request: a fresh session with `messages` messages, a connection, and whether it joins first. */
  messages?: number;
  join?: boolean;
  frame: (state: WsState) => Record<string, unknown>;
  reply: string;
}

/**
 * One frame on an open connection: the calls are read once the answering
 * event has reached the client and the runtime has logged the handler's
 * completion; the latency is frame sent → answering event received.
 */
function wsFrame(routeKey: string, spec: WsFrameSpec): Scenario {
  const state: WsState = {};
  return {
    description: spec.description,
    expectStatus: spec.expectStatus,
    setup: async (ctx) => {
      await openAndJoin(ctx, state, WS_USER, { messages: spec.messages ?? 0, join: spec.join ?? false });
    },
    invoke: async (ctx) => {
      const socket = state.socket!;
      const done = ctx.runtime.completed(`WS ${routeKey}`) + 1;
      const from = socket.frames.length;
      const sentAt = socket.send(spec.frame(state));
      const reply = await socket.waitFor((frame) => frame.event.type === spec.reply || frame.event.type === "session_error", WS_TIMEOUT_MS, from, `"${spec.reply}" event`);
      await ctx.runtime.waitFor(`WS ${routeKey}`, done, WS_TIMEOUT_MS);
      return { status: replyStatus(reply), ms: reply.at - sentAt, calls: ctx.callsSoFar(), dynamoMs: ctx.dynamoMsSoFar(), posts: ctx.postsSoFar() };
    },
    teardown: (ctx) => closeAndSettle(ctx, state),
  };
}

/**
 * send_message on a joined connection of a fresh session. The route's own
 * calls are read when `message_accepted` reaches the client: its last
 * DynamoDB call (the fan-out's connection Query) precedes that post, and the
 * turn worker is only invoked after it. The whole turn is then awaited
 * (message_complete, typing off, the worker's completion) so the next request
 * starts clean: that part is what `worker turn` reports.
 */
function sendAndTurn(userId: string, attribute: "route" | "worker", description: string): Scenario {
  const state: WsState = {};
  return {
    description,
    expectStatus: attribute === "route" ? "message_accepted" : "message_complete",
    setup: async (ctx) => {
      await openAndJoin(ctx, state, userId, { messages: 0, join: true });
    },
    invoke: async (ctx) => {
      const socket = state.socket!;
      const routeDone = ctx.runtime.completed("WS send_message") + 1;
      const workerDone = ctx.runtime.completed("worker turn") + 1;
      const from = socket.frames.length;
      const sentAt = socket.send({ action: "send_message", sessionId: state.sessionId, clientMessageId: `bench-${Date.now()}-${from}`, content: "Help me set a key result for onboarding." });
      const accepted = await socket.waitFor((frame) => frame.event.type === "message_accepted" || frame.event.type === "session_error", WS_TIMEOUT_MS, from);
      const routeCalls = ctx.callsSoFar();
      const routeDynamoMs = ctx.dynamoMsSoFar();
      const routePosts = ctx.postsSoFar();
      if (accepted.event.type !== "message_accepted") {
        await ctx.runtime.waitFor("WS send_message", routeDone, WS_TIMEOUT_MS);
        return { status: replyStatus(accepted), calls: routeCalls };
      }
      const complete = await socket.waitFor((frame) => frame.event.type === "message_complete" || frame.event.type === "session_error", WS_TIMEOUT_MS, from);
      await socket.waitFor((frame) => frame.event.type === "typing_indicator" && frame.event.on === false, WS_TIMEOUT_MS, from, "typing_indicator off");
      await ctx.runtime.waitFor("WS send_message", routeDone, WS_TIMEOUT_MS);
      await ctx.runtime.waitFor("worker turn", workerDone, WS_TIMEOUT_MS);
      if (attribute === "route") return { status: replyStatus(accepted), ms: accepted.at - sentAt, calls: routeCalls, dynamoMs: routeDynamoMs, posts: routePosts };
      const total = ctx.callsSoFar();
      const workerCalls = Object.fromEntries(
        Object.entries(total)
          .map(([name, count]) => [name, count - (routeCalls[name] ?? 0)] as const)
          .filter(([, count]) => count > 0),
      );
      return {
        status: replyStatus(complete),
        ms: complete.at - accepted.at,
        calls: workerCalls,
        dynamoMs: ctx.dynamoMsSoFar() - routeDynamoMs,
        posts: ctx.postsSoFar() - routePosts,
      };
    },
    teardown: (ctx) => closeAndSettle(ctx, state),
  };
}

/** $connect: the upgrade with a token, until the client sees it open. */
function wsConnect(): Scenario {
  const state: WsState = {};
  return {
    description: "open a connection with a valid token (JWT verified, connection stored)",
    expectStatus: 101,
    invoke: async (ctx) => {
      const started = performance.now();
      state.socket = await BenchSocket.open(ctx.wsUrl, ctx.tokenFor(WS_USER), WS_TIMEOUT_MS);
      return { status: 101, ms: performance.now() - started };
    },
    teardown: (ctx) => closeAndSettle(ctx, state),
  };
}

/**
 * A connection opened with `?templateId=`: `$connect` stores it and hands the
 * questionnaire worker the opening, which starts the user's questionnaire of
 * the template, joins the connection and asks the first question. Counted
 * together (the worker may run before `$connect` has returned), from the
 * upgrade to `next_question`.
 */
function questionnaireOpening(): Scenario {
  const state: WsState = {};
  let templateId = "";
  return {
    description: "open a connection with ?templateId= (a new questionnaire): $connect and the questionnaire worker together, until next_question",
    expectStatus: "next_question",
    setup: async (ctx) => {
      templateId = await template(ctx, `bench-open-${Date.now()}-${++templateEdits}`);
    },
    invoke: async (ctx) => {
      const done = ctx.runtime.completed("worker questionnaire") + 1;
      const started = performance.now();
      state.socket = await BenchSocket.open(ctx.wsUrl, ctx.tokenFor(`bench-questionnaire-${Date.now()}`), WS_TIMEOUT_MS, { templateId });
      const asked = await state.socket.waitFor((frame) => frame.event.type === "next_question" || frame.event.type === "session_error", WS_TIMEOUT_MS, 0, '"next_question" event');
      await ctx.runtime.waitFor("worker questionnaire", done, WS_TIMEOUT_MS);
      return { status: replyStatus(asked), ms: asked.at - started, calls: ctx.callsSoFar(), dynamoMs: ctx.dynamoMsSoFar(), posts: ctx.postsSoFar() };
    },
    teardown: (ctx) => closeAndSettle(ctx, state),
  };
}

/** $disconnect: the client closes; counted until the runtime logs the $disconnect handler's completion. */
function wsDisconnect(): Scenario {
  const state: WsState = {};
  return {
    description: "client closes a connection that joined 1 session (until the runtime logs $disconnect done)",
    expectStatus: "disconnected",
    setup: async (ctx) => {
      await openAndJoin(ctx, state, WS_USER, { messages: 0, join: true });
    },
    invoke: async (ctx) => {
      const socket = state.socket!;
      state.socket = undefined;
      const done = ctx.runtime.completed("WS $disconnect") + 1;
      const started = performance.now();
      await socket.close();
      await ctx.runtime.waitFor("WS $disconnect", done, WS_TIMEOUT_MS);
      return { status: "disconnected", ms: performance.now() - started };
    },
    teardown: (ctx) => closeAndSettle(ctx, state),
  };
}

/**
 * Every manifest route needs an entry here, keyed by its route key
 * (`METHOD /path` or `WS <routeKey>`); a route without one fails the bench.
 */
export const scenarios: Record<string, Scenario> = {
  "GET /health": http({ description: "liveness", expectStatus: 200 }),
  "GET /health/ready": http({ description: "readiness (table check)", expectStatus: 200 }),
  "POST /api/sessions": http({ description: "create an okr session", expectStatus: 201, body: { flow: "okr", metadata: { source: "bench" } } }),
  "GET /api/sessions": http({ description: "list recent sessions (default page)", expectStatus: 200 }),
  "GET /api/sessions/{id}": http({ description: "get the seeded session", expectStatus: 200 }),
  "DELETE /api/sessions/{id}": http({
    description: "delete a session with 2 messages + 1 feedback (fresh each time)",
    expectStatus: 204,
    setup: freshSessionWithChildren,
  }),
  "GET /api/sessions/{id}/messages": http({ description: "history of the seeded session (2 messages)", expectStatus: 200 }),
  "POST /api/sessions/{id}/resume": http({
    description: "resume an ended session (ended again before each request)",
    expectStatus: 200,
    setup: async (ctx) => {
      await ctx.asUser(() => ctx.Conversation.end(ctx.seed.sessionId));
    },
  }),
  "POST /api/sessions/{id}/resolve": http({
    description: "resolve a second session with notes",
    expectStatus: 200,
    body: { notes: "Agreed on three key results." },
    params: (ctx) => ({ id: ctx.seed.resolveSessionId }),
  }),
  "POST /api/sessions/{id}/stop": http({ description: "stop with no reply being written (stopping false)", expectStatus: 200 }),
  "POST /api/sessions/{id}/end": http({
    description: "end an active session (resumed before each request)",
    expectStatus: 200,
    setup: async (ctx) => {
      await ctx.asUser(() => ctx.Conversation.resume({ sessionId: ctx.seed.sessionId }));
    },
  }),
  "POST /api/sessions/{id}/messages/{messageId}/feedback": http({
    description: "rate the seeded assistant message",
    expectStatus: 201,
    body: { rating: "up", comment: "Useful" },
  }),
  "POST /api/sessions/{id}/messages": http({
    description: "REST fallback: accept a message and run the whole AI turn (offline coach) in the request; fresh session each time, no WebSocket joined",
    expectStatus: 201,
    body: { clientMessageId: "bench-rest-1", content: "Help me set a key result for onboarding." },
    setup: async (ctx) => ({ id: await freshSession(ctx, ctx.userId) }),
  }),
  "GET /api/sessions/{id}/export": http({ description: "JSON export of the seeded session", expectStatus: 200 }),
  "GET /api/sessions/{id}/okrs": http({ description: "OKR set of the seeded session (draft, rubric scores, transitions)", expectStatus: 200 }),
  "POST /api/sessions/{id}/transition": http({
    description: "force a fresh OKR session from discovery to kr_discovery (fresh session each time, no WebSocket joined)",
    expectStatus: 200,
    body: { to: "kr_discovery" },
    setup: async (ctx) => ({ id: await freshSession(ctx, ctx.userId) }),
  }),
  "GET /api/documents": http({ description: "list the bench user's documents (default page)", expectStatus: 200, setup: async (ctx) => void (await benchDocument(ctx)) }),
  "GET /api/documents/{id}": http({ description: "one document as JSON (a fresh one each time)", expectStatus: 200, setup: benchDocument }),
  "DELETE /api/documents/{id}": http({ description: "delete a document made by a session (with its session marker; fresh each time)", expectStatus: 204, setup: benchDocument }),
  "POST /v1/chat/completions": http({
    description: "OpenAI-compatible completion, non-streaming (offline provider), counted as the bench user's usage",
    expectStatus: 200,
    body: { model: "coach", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Suggest a key result for onboarding." }] },
  }),
  "POST /v1/responses": http({
    description: "Responses API, non-streaming (offline provider): continue a fresh stored response through previous_response_id (its record, its session's history, the turn lock, the exchange stored, usage)",
    expectStatus: 200,
    setup: async (ctx) => ({ previous: await benchResponse(ctx) }),
    body: (params: Params) => ({ model: "coach", instructions: "Be brief.", input: "And one for retention?", previous_response_id: params.previous }),
  }),
  "GET /v1/responses/{id}": http({ description: "retrieve a stored response (its record and its reply)", expectStatus: 200, setup: async (ctx) => ({ id: await benchResponse(ctx) }) }),
  "DELETE /v1/responses/{id}": http({ description: "delete a stored response (fresh each time; its session keeps the exchange)", expectStatus: 200, setup: async (ctx) => ({ id: await benchResponse(ctx) }) }),
  "GET /v1/responses/{id}/input_items": http({ description: "a stored response's input items (1 message)", expectStatus: 200, setup: async (ctx) => ({ id: await benchResponse(ctx) }) }),
  "GET /v1/models": http({ description: "served models", expectStatus: 200 }),
  "GET /v1/models/{model}": http({ description: "one served model", expectStatus: 200, params: () => ({ model: "coach" }) }),
  "GET /api/usage": http({ description: "the bench user's usage for today", expectStatus: 200, query: () => `?from=${today()}&to=${today()}` }),
  "POST /api/tracking/sessions": http({ description: "register an orchestration session", expectStatus: 201, apiKey: true, body: { projectId: "bench" } }),
  "GET /api/tracking/sessions": http({ description: "list sessions (first page)", expectStatus: 200, apiKey: true, query: "?limit=20" }),
  "GET /api/tracking/sessions/{id}": http({
    description: "get a session",
    expectStatus: 200,
    apiKey: true,
    setup: async (ctx) => ({ id: await trackingSession(ctx) }),
  }),
  "PATCH /api/tracking/sessions/{id}": http({
    description: "pause a fresh session",
    expectStatus: 200,
    apiKey: true,
    body: { status: "paused" },
    setup: async (ctx) => ({ id: await trackingSession(ctx) }),
  }),
  "DELETE /api/tracking/sessions/{id}": http({
    description: "delete a fresh session",
    expectStatus: 204,
    apiKey: true,
    setup: async (ctx) => ({ id: await trackingSession(ctx) }),
  }),
  "POST /api/tracking/sessions/{id}/heartbeat": http({
    description: "session heartbeat",
    expectStatus: 200,
    apiKey: true,
    setup: async (ctx) => ({ id: await trackingSession(ctx) }),
  }),
  "POST /api/tracking/tasks": http({
    description: "add a task to a fresh session",
    expectStatus: 201,
    apiKey: true,
    setup: async (ctx) => ({ sessionId: await trackingSession(ctx) }),
    body: (params: Params) => ({ sessionId: params.sessionId, title: "Write the release notes" }),
  }),
  "GET /api/tracking/tasks": http({ description: "list tasks (first page)", expectStatus: 200, apiKey: true, query: "?limit=20" }),
  "GET /api/tracking/tasks/{id}": http({
    description: "get a task",
    expectStatus: 200,
    apiKey: true,
    setup: async (ctx) => ({ id: await tracked(ctx, "tasks", { sessionId: await trackingSession(ctx), title: "bench" }) }),
  }),
  "PATCH /api/tracking/tasks/{id}": http({
    description: "start a fresh task at 10%",
    expectStatus: 200,
    apiKey: true,
    body: { status: "in_progress", progress: 10 },
    setup: async (ctx) => ({ id: await tracked(ctx, "tasks", { sessionId: await trackingSession(ctx), title: "bench" }) }),
  }),
  "DELETE /api/tracking/tasks/{id}": http({
    description: "delete a fresh task",
    expectStatus: 204,
    apiKey: true,
    setup: async (ctx) => ({ id: await tracked(ctx, "tasks", { sessionId: await trackingSession(ctx), title: "bench" }) }),
  }),
  "POST /api/tracking/machines": http({ description: "register a machine", expectStatus: 201, apiKey: true, body: { hostname: "bench-host", capacity: 4 } }),
  "GET /api/tracking/machines": http({ description: "list machines (first page)", expectStatus: 200, apiKey: true, query: "?limit=20" }),
  "GET /api/tracking/machines/{id}": http({
    description: "get a machine",
    expectStatus: 200,
    apiKey: true,
    setup: async (ctx) => ({ id: await trackingMachine(ctx) }),
  }),
  "PATCH /api/tracking/machines/{id}": http({
    description: "drain a fresh machine",
    expectStatus: 200,
    apiKey: true,
    body: { status: "draining" },
    setup: async (ctx) => ({ id: await trackingMachine(ctx) }),
  }),
  "DELETE /api/tracking/machines/{id}": http({
    description: "delete a fresh machine",
    expectStatus: 204,
    apiKey: true,
    setup: async (ctx) => ({ id: await trackingMachine(ctx) }),
  }),
  "POST /api/tracking/machines/{id}/heartbeat": http({
    description: "machine heartbeat",
    expectStatus: 200,
    apiKey: true,
    setup: async (ctx) => ({ id: await trackingMachine(ctx) }),
  }),
  "POST /api/tracking/machines/{id}/slots": http({
    description: "claim a slot on a fresh machine for a fresh session",
    expectStatus: 201,
    apiKey: true,
    setup: async (ctx) => ({ id: await trackingMachine(ctx), sessionId: await trackingSession(ctx) }),
    body: (params: Params) => ({ sessionId: params.sessionId }),
  }),
  "DELETE /api/tracking/machines/{id}/slots/{sessionId}": http({
    description: "release a claimed slot",
    expectStatus: 204,
    apiKey: true,
    setup: async (ctx) => {
      const [id, sessionId] = [await trackingMachine(ctx), await trackingSession(ctx)];
      const claim = await fetch(`${ctx.baseUrl}/api/tracking/machines/${id}/slots`, {
        method: "POST",
        headers: { authorization: `Bearer ${ctx.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ sessionId }),
      });
      if (claim.status !== 201) throw new Error(`set-up claim: ${claim.status}`);
      return { id, sessionId };
    },
  }),
  "GET /api/openapi.json": http({ description: "the OpenAPI document (built once per process, then cached)", expectStatus: 200 }),
  "GET /api/docs": http({ description: "the browsable API reference page", expectStatus: 200 }),
  "GET /api/tracking/health": http({ description: "health summary (counts by status, stale, stuck)", expectStatus: 200, apiKey: true }),
  "GET /api/templates": http({ description: "list templates (first page of summaries)", expectStatus: 200, setup: async (ctx) => void (await template(ctx, "bench-intake")) }),
  "GET /api/templates/{id}": http({ description: "the latest version of a template", expectStatus: 200, setup: async (ctx) => ({ id: await template(ctx, "bench-intake") }) }),
  "PUT /api/templates/{id}": http({
    description: "store a new version of a template (its title changed each time)",
    expectStatus: 201,
    apiKey: true,
    params: () => ({ id: "bench-edited" }),
    body: () => benchTemplate(`Bench intake, edit ${++templateEdits}`),
  }),
  "DELETE /api/templates/{id}": http({
    description: "delete a fresh template",
    expectStatus: 204,
    apiKey: true,
    setup: async (ctx) => ({ id: await template(ctx, `bench-delete-${Date.now()}-${++templateEdits}`) }),
  }),
  "WS $connect": wsConnect(),
  "WS $disconnect": wsDisconnect(),
  "WS $default": wsFrame("$default", {
    description: "unknown action on an open connection",
    expectStatus: "session_error (unknown_action)",
    frame: () => ({ action: "dance" }),
    reply: "session_error",
  }),
  "WS join_session": wsFrame("join_session", {
    description: "join a session with 2 messages (history sent back)",
    expectStatus: "session_joined",
    messages: 2,
    frame: (state) => ({ action: "join_session", sessionId: state.sessionId }),
    reply: "session_joined",
  }),
  "WS leave_session": wsFrame("leave_session", {
    description: "leave a joined session",
    expectStatus: "session_left",
    join: true,
    frame: (state) => ({ action: "leave_session", sessionId: state.sessionId }),
    reply: "session_left",
  }),
  "WS send_message": sendAndTurn(WS_USER, "route", "send a message on a joined connection of a fresh session (counted until message_accepted; the turn runs in the worker)"),
  "WS get_session_status": wsFrame("get_session_status", {
    description: "status of a joined session",
    expectStatus: "session_status",
    join: true,
    frame: (state) => ({ action: "get_session_status", sessionId: state.sessionId }),
    reply: "session_status",
  }),
  "WS stop_generation": wsFrame("stop_generation", {
    description: "stop with no reply being written (the answer, stopping false)",
    expectStatus: "stop_acknowledged",
    join: true,
    frame: (state) => ({ action: "stop_generation", sessionId: state.sessionId }),
    reply: "stop_acknowledged",
  }),
  "WS ping": wsFrame("ping", { description: "ping on an open connection", expectStatus: "pong", frame: () => ({ action: "ping" }), reply: "pong" }),
  "worker questionnaire": questionnaireOpening(),
  "worker turn": sendAndTurn(
    WORKER_USER,
    "worker",
    "one whole turn after send_message (offline coach, no delay, 1 joined connection): message_accepted → message_complete + typing off, minus the route's own calls",
  ),
};
