import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalStack } from "../../packages/local/src/stack";
import type { Params, Scenario, ScenarioContext } from "./scenarios";
import { summarize, type Summary } from "./stats";
import { grantsOf, type BenchTarget } from "./targets";

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
  /** Absent: the route has no scenario. */
  scenario?: string;
  status?: number;
  expectStatus?: number;
  /** Every status seen over all requests of the scenario. */
  statuses?: number[];
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
export async function measureRoutes(
  targets: readonly BenchTarget[],
  scenarioTable: Record<string, Scenario>,
  options: { requests: number; log: (line: string) => void },
): Promise<DynamoRun> {
  const { log } = options;
  const keys = new Set(targets.map((target) => target.key));
  const missingScenarios = targets.filter((target) => !scenarioTable[target.key]).map((target) => target.key);
  const staleScenarios = Object.keys(scenarioTable).filter((key) => !keys.has(key));

  const dataDir = mkdtempSync(join(tmpdir(), "coach-bench-"));
  const started = performance.now();
  log("starting the local stack (DynamoDB Local in memory)…");
  const stack = await startLocalStack(
    { port: 0, wsPort: 0, dataDir, inMemory: true, tableName: "coach-bench", logLevel: "SILENT", corsOrigin: "*", wsIdleTimeoutSeconds: 600, wsMaxDurationSeconds: 7200 },
    (line) => {
      if (line.startsWith("local runtime error")) log(line);
    },
  );
  const stackStartMs = performance.now() - started;
  log(`local stack up in ${(stackStartMs / 1000).toFixed(1)} s at ${stack.httpUrl}`);
  try {
    // Core reads TABLE_NAME and DYNAMODB_ENDPOINT when first imported; startLocalStack has just set them.
    const table = await import("@coach/core/table");
    const Conversation = await import("@coach/core/conversation");
    const { withActor } = await import("@coach/core/actor");

    let dynamoMs = 0;
    table.documentClient.middlewareStack.add(
      (next) => async (args) => {
        const start = performance.now();
        try {
          return await next(args);
        } finally {
          dynamoMs += performance.now() - start;
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

    const ctx: ScenarioContext = {
      baseUrl: stack.httpUrl,
      token,
      userId,
      seed: { sessionId, messageId: reply.id, resolveSessionId },
      Conversation,
      asUser,
    };

    const routes: RouteCalls[] = [];
    for (const target of targets) {
      const scenario = scenarioTable[target.key];
      if (!scenario) {
        routes.push({ key: target.key });
        continue;
      }
      log(`calls + latency: ${target.key} (${options.requests + 1} requests)`);
      const base = { key: target.key, scenario: scenario.description, expectStatus: scenario.expectStatus };
      try {
        const samples: { status: number; ms: number; dynamoMs: number; calls: Record<string, number> }[] = [];
        for (let i = 0; i <= options.requests; i++) {
          const params: Params = (await scenario.setup?.(ctx)) ?? {};
          table.resetDynamoCallCounts();
          dynamoMs = 0;
          const start = performance.now();
          const { status } = await scenario.invoke(ctx, target, params);
          const ms = performance.now() - start;
          samples.push({ status, ms, dynamoMs, calls: table.dynamoCallCounts() });
        }
        const [first, ...timed] = samples;
        const calls = first!.calls;
        routes.push({
          ...base,
          status: first!.status,
          statuses: [...new Set(samples.map((sample) => sample.status))],
          calls,
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
        routes.push({ ...base, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return { routes, missingScenarios, staleScenarios, stackStartMs };
  } finally {
    log("stopping the local stack…");
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
