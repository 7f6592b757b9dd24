import { resolve } from "node:path";
import { ConfigError, loadConfig, parseEnv, variable, type Config, type ConfigIssue, type Env } from "@coach/core/config";
import { defaultThrottle, type ThrottleSettings } from "./throttle";

/**
 * The local runtime's configuration, from the environment only. Every
 * variable is listed in the README's configuration table.
 */
export interface LocalConfig {
  port: number;
  wsPort: number;
  /** Serve the web app (packages/web, built if needed) on this port; 0 picks a free one, absent serves none. */
  webPort?: number;
  dataDir: string;
  /** Use this DynamoDB instead of starting DynamoDB Local. */
  dynamodbEndpoint?: string;
  /** Keep DynamoDB Local's data in memory instead of under dataDir. */
  inMemory: boolean;
  tableName: string;
  /** TABLE_NAME was set: `pnpm apikey` then manages that table instead of the running stack's. */
  tableNameFromEnvironment?: boolean;
  /** The handlers' AWS_REGION. */
  region?: string;
  logLevel: string;
  /** CORS_ORIGINS, comma-separated; the web app's origin is allowed besides (stack.ts). */
  corsOrigin: string;
  anthropicApiKey?: string;
  /** No frame from a client for this long closes it (API Gateway: 10 minutes). */
  wsIdleTimeoutSeconds: number;
  /** Longest a connection may live (API Gateway: 2 hours). */
  wsMaxDurationSeconds: number;
  /** Per-connection frame rate and per-function concurrency; `defaultThrottle` when absent. */
  throttle?: ThrottleSettings;
  /** Put the questionnaire templates of examples/templates that differ from their stored latest version (`pnpm start`; test stacks only when asked). */
  loadExampleTemplates?: boolean;
}

export const DEFAULT_DATA_DIR = ".data";
const DEFAULT_TABLE_NAME = "coach-local";

const port = () => variable.integer(0, 65_535);
const seconds = () => variable.reader("a positive number of seconds", (raw) => (Number.isFinite(Number(raw)) && Number(raw) > 0 ? Number(raw) : undefined));

/** The variables only the local runtime reads; the handlers' own are the product's (`@coach/core/config`). */
const localVariables = variable
  .variables({
    PORT: port().default(3000),
    WS_PORT: port().default(3001),
    WEB_PORT: port().default(3002),
    DATA_DIR: variable.text("a folder").default(DEFAULT_DATA_DIR),
    DYNAMODB_IN_MEMORY: variable.oneOf(["1", "true", "0", "false"]).optional(),
    WS_IDLE_TIMEOUT_SECONDS: seconds().default(600),
    WS_MAX_DURATION_SECONDS: seconds().default(7200),
    WS_FRAME_RATE_PER_SECOND: variable.integer(1).default(defaultThrottle.frameRatePerSecond),
    WS_FRAME_BURST: variable.integer(1).default(defaultThrottle.frameBurst),
    FUNCTION_CONCURRENCY: variable.integer(1).default(defaultThrottle.functionConcurrency),
  })
  .transform((env) => ({
    port: env.PORT,
    wsPort: env.WS_PORT,
    webPort: env.WEB_PORT,
    dataDir: resolve(env.DATA_DIR),
    inMemory: env.DYNAMODB_IN_MEMORY === "1" || env.DYNAMODB_IN_MEMORY === "true",
    wsIdleTimeoutSeconds: env.WS_IDLE_TIMEOUT_SECONDS,
    wsMaxDurationSeconds: env.WS_MAX_DURATION_SECONDS,
    throttle: { frameRatePerSecond: env.WS_FRAME_RATE_PER_SECOND, frameBurst: env.WS_FRAME_BURST, functionConcurrency: env.FUNCTION_CONCURRENCY },
  }));

/** What the stack sets on the handlers itself (stack.ts); a value in the shell is replaced, so it is not checked. */
const SET_BY_THE_STACK = [
  "JWT_ISSUER",
  "JWT_AUDIENCE",
  "JWT_JWKS_URI",
  "WEBSOCKET_MANAGEMENT_ENDPOINT",
  "LAMBDA_ENDPOINT",
  "TURN_WORKER_FUNCTION",
  "QUESTIONNAIRE_WORKER_FUNCTION",
  "POWERTOOLS_SERVICE_NAME",
];

/** The environment the handlers will see, as far as it is known before the stack starts, and whether TABLE_NAME was the shell's. */
function handlerEnvironment(env: Env): { handlers: Env; tableNameFromEnvironment: boolean } {
  const handlers: Record<string, string | undefined> = { ...env };
  for (const name of SET_BY_THE_STACK) delete handlers[name];
  const tableNameFromEnvironment = Boolean(env.TABLE_NAME?.trim());
  if (!tableNameFromEnvironment) handlers.TABLE_NAME = DEFAULT_TABLE_NAME;
  return { handlers, tableNameFromEnvironment };
}

/**
 * Reads and checks the whole environment at once: the local runtime's
 * variables and every variable of the handlers. One ConfigError lists every
 * problem of both.
 */
export function readLocalConfig(env: Env = process.env): LocalConfig {
  const issues: ConfigIssue[] = [];
  const local = parseEnv(localVariables, env);
  if ("issues" in local) issues.push(...local.issues);
  const { handlers, tableNameFromEnvironment } = handlerEnvironment(env);
  let product: Config | undefined;
  try {
    product = loadConfig(handlers);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    issues.push(...error.issues);
  }
  if ("issues" in local || !product) throw new ConfigError(issues);
  return {
    ...local.value,
    tableName: product.table.tableName,
    tableNameFromEnvironment,
    dynamodbEndpoint: product.table.endpoint,
    region: product.table.region,
    logLevel: product.observability.logLevel,
    corsOrigin: product.http.corsOrigins.join(","),
    anthropicApiKey: product.claude?.apiKey,
    loadExampleTemplates: true,
  };
}
