import type { BenchTarget } from "./targets";

type ConversationModule = typeof import("@coach/core/conversation");

/** What a scenario can use: the running local stack, a token, the seeded data and core (for set-up only). */
export interface ScenarioContext {
  baseUrl: string;
  token: string;
  userId: string;
  seed: { sessionId: string; messageId: string; resolveSessionId: string };
  Conversation: ConversationModule;
  /** Runs a core call as the bench user (core asserts an actor). */
  asUser<T>(fn: () => Promise<T>): Promise<T>;
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
  expectStatus: number;
  setup?: (ctx: ScenarioContext) => Promise<Params | void>;
  invoke: (ctx: ScenarioContext, target: BenchTarget, params: Params) => Promise<{ status: number }>;
}

interface HttpScenarioSpec {
  description: string;
  expectStatus: number;
  setup?: Scenario["setup"];
  query?: string;
  body?: unknown;
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
      const response = await fetch(`${ctx.baseUrl}${path}${spec.query ?? ""}`, {
        method: target.method,
        headers: {
          authorization: `Bearer ${ctx.token}`,
          ...(spec.body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
      });
      await response.arrayBuffer();
      return { status: response.status };
    },
  };
}

/** A fresh session with a user and an assistant message and feedback on the latter: what a real delete removes. */
async function freshSessionWithChildren(ctx: ScenarioContext): Promise<Params> {
  return ctx.asUser(async () => {
    const session = await ctx.Conversation.create({ flow: "okr" });
    await ctx.Conversation.appendMessage({ sessionId: session.id, role: "user", content: "How do I write a key result?" });
    const reply = await ctx.Conversation.appendMessage({ sessionId: session.id, role: "assistant", content: "Make it measurable." });
    await ctx.Conversation.giveFeedback({ sessionId: session.id, messageId: reply.id, rating: "up" });
    return { id: session.id };
  });
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
  "GET /api/sessions/{id}/export": http({ description: "JSON export of the seeded session", expectStatus: 200 }),
};
