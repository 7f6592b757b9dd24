import { register } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalStack, type LocalStack } from "../../packages/local/src/stack";
import type { InvokeResult, Params, Scenario, ScenarioContext } from "./scenarios";
import { summarize, type Summary } from "./stats";
import { grantsOf, type BenchTarget } from "./targets";
import { RuntimeLog } from "./ws-client";

export interface RouteLatency {
  requests: number;
  /** Client-side: fetch to the local REST emulation until the body is read. */
  endToEndMs: Summary;
  /** Time inside DynamoDB SDK sends during the request (marshalling, HTTP to DynamoDB Local, unmarshalling). */
  dynamoMs: Summary;
  /** Per request: end-to-end minus DynamoDB time. */
  overheadMs: Summary;
}

export interface RouteCalls {
  key: string;
  kind?: BenchTarget["kind"];
  /** Absent: the route has no scenario. */
  scenario?: string;
  /** HTTP status, or for WebSocket routes and workers the answering server event. */
  status?: number | string;
  expectStatus?: number | string;
  /** Every status seen over all requests of the scenario. */
  statuses?: (number | string)[];
  /** Posts to WebSocket connections (the `@connections` emulation's count) in the first request. */
  posts?: number;
  /** Commands of the first request, by SDK command name. */
  calls?: Record<string, number>;
  totalCalls?: number;
  /** Whether every request of the scenario made exactly the same calls. */
  stableCalls?: boolean;
  /** Commands counted whose IAM action is not in the manifest's `table` grants (would be AccessDenied on AWS). */
  notGranted?: string[];
  latency?: RouteLatency;
  error?: string;
}

export interface DynamoRun {
  routes: RouteCalls[];
  missingScenarios: string[];
  /** Scenarios whose key matches no manifest route. */
  staleScenarios: string[];
  stackStartMs: number;
}

/** What the sections after the routes get: the running stack and the bench's instruments on it. */
export interface StackInstruments {
  stack: LocalStack;
  runtime: RuntimeLog;
  log: (line: string) => void;
  table: typeof import("@coach/core/table");
  Conversation: typeof import("@coach/core/conversation");
  as<T>(userId: string, fn: () => Promise<T>): Promise<T>;
  /** Posts to connections so far (process-wide). */
  posts(): number;
  /** Subscribes to every DynamoDB command the core client completes: name, input, start and end (performance.now()). */
  onDynamoCall(listener: (call: { name: string; input: unknown; start: number; end: number }) => void): () => void;
}

/** SDK command name → the IAM action it needs; `undefined` for transactions (checked per item by IAM). */
const actionOf: Record<string, string | undefined> = {
  Get: "dynamodb:GetItem",
  Put: "dynamodb:PutItem",
  Update: "dynamodb:UpdateItem",
  Delete: "dynamodb:DeleteItem",
  Query: "dynamodb:Query",
  Scan: "dynamodb:Scan",
  BatchWrite: "dynamodb:BatchWriteItem",
  BatchGet: "dynamodb:BatchGetItem",
  DescribeTable: "dynamodb:DescribeTable",
};

function ungranted(calls: Record<string, number>, grants: readonly string[]): string[] {
  return Object.keys(calls).filter((command) => {
    const base = command.replace(/Command$/, "").replace(/Item$/, "");
    if (base.startsWith("Transact")) return false;
    const action = actionOf[base] ?? `dynamodb:${command.replace(/Command$/, "")}`;
    return !grants.includes(action);
  });
}

const sameCalls = (a: Record<string, number>, b: Record<string, number>) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/**
 * Starts the local stack in this process (its own in-memory DynamoDB Local),
 * seeds a session through the API and core, then runs each route's scenario
 * `requests + 1` times: the first request gives the DynamoDB calls (counted
 * by core's SDK middleware), the remaining ones the latency.
 */
export async function measureRoutes<Extra>(
  targets: readonly BenchTarget[],
  scenarioTable: Record<string, Scenario>,
  options: { requests: number; log: (line: string) => void; after?: (instruments: StackInstruments) => Promise<Extra> },
): Promise<DynamoRun & { extra?: Extra }> {
  const { log } = options;
  const keys = new Set(targets.map((target) => target.key));
  const missingScenarios = targets.filter((target) => !scenarioTable[target.key]).map((target) => target.key);
  const staleScenarios = Object.keys(scenarioTable).filter((key) => !keys.has(key));

  const dataDir = mkdtempSync(join(tmpdir(), "coach-bench-"));
  const started = performance.now();
  // The turns run on the offline coach, deterministic and without network, whatever the shell has set; no fault knobs.
  for (const name of ["ANTHROPIC_API_KEY", "OFFLINE_COACH_DELAY_MS", "OFFLINE_COACH_FAIL_AFTER"]) {
    if (process.env[name]) log(`ignoring ${name} from the environment: the bench runs turns on the offline coach`);
    delete process.env[name];
  }
  // The handlers load with the stack: from here on their AI provider is the per-turn offline coach (the realtime sections pace it).
  register("./per-turn-provider.mjs", import.meta.url);
  log("starting the local stack (DynamoDB Local in memory)…");
  const runtime = new RuntimeLog();
  const stack = await startLocalStack(
    { port: 0, wsPort: 0, dataDir, inMemory: true, tableName: "coach-bench", logLevel: "SILENT", corsOrigin: "*", wsIdleTimeoutSeconds: 600, wsMaxDurationSeconds: 7200 },
    (line) => {
      runtime.onLine(line);
      if (line.startsWith("local runtime error") || line.startsWith("local websocket runtime error") || / failed/.test(line)) log(line);
    },
  );
  const stackStartMs = performance.now() - started;
  log(`local stack up in ${(stackStartMs / 1000).toFixed(1)} s at ${stack.httpUrl}`);
  try {
    // Core reads TABLE_NAME and DYNAMODB_ENDPOINT when first imported; startLocalStack has just set them.
    const table = await import("@coach/core/table");
    const counter = await import("../../test/dynamo-calls");
    counter.countCallsOf(table.documentClient);
    const Conversation = await import("@coach/core/conversation");
    const { withActor } = await import("@coach/core/actor");
    // Posts to connections, as the local @connections emulation received them (the network edge).
    const postCounter = { get posts() { return stack.postCount(); } };

    let dynamoMs = 0;
    const callListeners = new Set<(call: { name: string; input: unknown; start: number; end: number }) => void>();
    table.documentClient.middlewareStack.add(
      (next, context) => async (args) => {
        const start = performance.now();
        try {
          return await next(args);
        } finally {
          const end = performance.now();
          dynamoMs += end - start;
          for (const listener of callListeners) listener({ name: context.commandName ?? "unknown", input: args.input, start, end });
        }
      },
      { step: "initialize", priority: "high", name: "benchDynamoTimer" },
    );

    const userId = "bench-user";
    const token = stack.issuer.token(userId);
    const asUser = <T>(fn: () => Promise<T>) => withActor({ type: "user", userId }, fn);
    const createSession = async () => {
      const response = await fetch(`${stack.httpUrl}/api/sessions`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ flow: "okr" }),
      });
      if (response.status !== 201) throw new Error(`seeding: POST /api/sessions answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { id: string }).id;
    };
    const sessionId = await createSession();
    const resolveSessionId = await createSession();
    await asUser(() => Conversation.appendMessage({ sessionId, role: "user", content: "I want to set OKRs for my team." }));
    const reply = await asUser(() =>
      Conversation.appendMessage({ sessionId, role: "assistant", content: "Great. What is the one outcome that matters most this quarter?" }),
    );
    log(`seeded session ${sessionId} with 2 messages (assistant message ${reply.id})`);

    const as = <T>(id: string, fn: () => Promise<T>) => withActor({ type: "user", userId: id }, fn);
    let sampleStart = { dynamoMs: 0, posts: 0 };
    const ctx: ScenarioContext = {
      baseUrl: stack.httpUrl,
      wsUrl: stack.wsUrl,
      token,
      userId,
      seed: { sessionId, messageId: reply.id, resolveSessionId },
      Conversation,
      asUser,
      as,
      tokenFor: (id) => stack.issuer.token(id),
      apiKey: stack.devApiKey,
      runtime,
      callsSoFar: () => counter.dynamoCallCounts(),
      dynamoMsSoFar: () => dynamoMs - sampleStart.dynamoMs,
      postsSoFar: () => postCounter.posts - sampleStart.posts,
    };

    const routes: RouteCalls[] = [];
    for (const target of targets) {
      const scenario = scenarioTable[target.key];
      if (!scenario) {
        routes.push({ key: target.key });
        continue;
      }
      log(`calls + latency: ${target.key} (${options.requests + 1} requests)`);
      const base = { key: target.key, kind: target.kind, scenario: scenario.description, expectStatus: scenario.expectStatus };
      try {
        const samples: { status: number | string; ms: number; dynamoMs: number; calls: Record<string, number>; posts: number }[] = [];
        for (let i = 0; i <= options.requests; i++) {
          const params: Params = (await scenario.setup?.(ctx)) ?? {};
          counter.resetDynamoCallCounts();
          dynamoMs = 0;
          sampleStart = { dynamoMs: 0, posts: postCounter.posts };
          const start = performance.now();
          const result: InvokeResult = await scenario.invoke(ctx, target, params);
          const ms = performance.now() - start;
          samples.push({
            status: result.status,
            ms: result.ms ?? ms,
            dynamoMs: result.dynamoMs ?? dynamoMs,
            calls: result.calls ?? counter.dynamoCallCounts(),
            posts: result.posts ?? postCounter.posts - sampleStart.posts,
          });
          await scenario.teardown?.(ctx);
        }
        const [first, ...timed] = samples;
        const calls = first!.calls;
        routes.push({
          ...base,
          status: first!.status,
          statuses: [...new Set(samples.map((sample) => sample.status))],
          calls,
          posts: first!.posts,
          totalCalls: Object.values(calls).reduce((sum, n) => sum + n, 0),
          stableCalls: samples.every((sample) => sameCalls(sample.calls, calls)),
          notGranted: ungranted(calls, grantsOf(target.key) ?? []),
          latency: {
            requests: timed.length,
            endToEndMs: summarize(timed.map((sample) => sample.ms)),
            dynamoMs: summarize(timed.map((sample) => sample.dynamoMs)),
            overheadMs: summarize(timed.map((sample) => sample.ms - sample.dynamoMs)),
          },
        });
      } catch (error) {
        await scenario.teardown?.(ctx).catch(() => undefined);
        routes.push({ ...base, error: error instanceof Error ? error.message : String(error) });
      }
    }
    let extra: Extra | undefined;
    if (options.after) {
      extra = await options.after({
        stack,
        runtime,
        log,
        table,
        Conversation,
        as,
        posts: () => postCounter.posts,
        onDynamoCall: (listener) => {
          callListeners.add(listener);
          return () => callListeners.delete(listener);
        },
      });
    }
    return { routes, missingScenarios, staleScenarios, stackStartMs, ...(extra === undefined ? {} : { extra }) };
  } finally {
    log("stopping the local stack…");
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
