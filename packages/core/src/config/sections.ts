import { EFFORT_LEVELS } from "../ai/provider";
import { httpUrl, integer, isoDate, matching, oneOf, raw, reader, text, variables } from "./variable";

/**
 * Every environment variable the product reads, by section. A section reads
 * its variables from the environment into the typed settings; the README's
 * configuration table lists the same variables. Each is a function that
 * builds its schema: a function that reads two sections builds two schemas
 * at cold start, not all of them.
 */

/** Values never printed in an error: only that they are malformed. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  "ANTHROPIC_API_KEY",
  "SST_Secret_value_ANTHROPIC_API_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AI_SERVICE_API_KEY",
]);

export const table = () =>
  variables({
    TABLE_NAME: text("the DynamoDB table's name").required(),
    DYNAMODB_ENDPOINT: httpUrl().optional(),
    AWS_REGION: text("an AWS region").optional(),
    AWS_DEFAULT_REGION: text("an AWS region").optional(),
  })
  .transform((env) => ({
    tableName: env.TABLE_NAME,
    /** Set only off AWS (DynamoDB Local); on Lambda the SDK finds the regional endpoint. */
    endpoint: env.DYNAMODB_ENDPOINT,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
  }));

export const turn = () =>
  variables({ TURN_LOCK_SECONDS: integer(1).default(30) })
    .transform((env) => ({
      /** Lifetime of a session's turn lock; a running turn keeps extending it, a crashed one frees the session after it. */
      lockSeconds: env.TURN_LOCK_SECONDS,
    }));

export const rateLimit = () =>
  variables({
    RATE_LIMIT_SESSION_PER_MINUTE: integer(1).default(60),
    RATE_LIMIT_USER_PER_MINUTE: integer(1).default(120),
  })
  .transform((env) => ({ sessionPerMinute: env.RATE_LIMIT_SESSION_PER_MINUTE, userPerMinute: env.RATE_LIMIT_USER_PER_MINUTE }));

export const offlineCoach = () =>
  variables({
    OFFLINE_COACH_DELAY_MS: integer(0).optional(),
    OFFLINE_COACH_FAIL_AFTER: integer(0).optional(),
    OFFLINE_COACH_TODAY: isoDate().optional(),
  })
  .transform((env) => ({
    /** Pause between streamed words (demos, fault tests). */
    delayMs: env.OFFLINE_COACH_DELAY_MS,
    /** Fail every reply after this many words (fault tests). */
    failAfterDeltas: env.OFFLINE_COACH_FAIL_AFTER,
    /** The date "by June 30" is read against, for reproducible runs. */
    today: env.OFFLINE_COACH_TODAY,
  }));

export const tracking = () =>
  variables({
    TRACKING_STALE_AFTER_SECONDS: integer(1).default(300),
    TRACKING_STUCK_AFTER_SECONDS: integer(1).default(900),
  })
  .transform((env) => ({
    /** An active or paused session with no heartbeat for this long is stale. */
    staleAfterSeconds: env.TRACKING_STALE_AFTER_SECONDS,
    /** An in-progress task not updated for this long is stuck. */
    stuckAfterSeconds: env.TRACKING_STUCK_AFTER_SECONDS,
  }));

export const questionnaire = () =>
  variables({ QUESTIONNAIRE_EXPIRY_HOURS: integer(1, 8760).default(24) })
    .transform((env) => ({
      /** An incomplete questionnaire is gone this long after its last activity (a message stored); at most a year. */
      expiryHours: env.QUESTIONNAIRE_EXPIRY_HOURS,
    }));

/** Claude Sonnet 5.5, the current Sonnet (Claude Sonnet 5 is legacy; 4.5 reaches end-of-life on 30 November 2026). */
export const DEFAULT_CLAUDE_MODEL = "claude-sonnet-5-5";

export const CLAUDE_DEFAULTS = {
  model: DEFAULT_CLAUDE_MODEL,
  maxTokens: 2048,
  /** A coaching chat's replies are short and its first words should come soon. */
  effort: "low",
  timeoutMs: 60_000,
  maxRetries: 2,
  maxRetryWaitMs: 10_000,
} as const;

/** Not an environment variable: fixed, but a setting of the adapter like the rest (tests lower it). */
const maxRetryWaitMs: number = CLAUDE_DEFAULTS.maxRetryWaitMs;

/** Absent as a whole without ANTHROPIC_API_KEY: the offline coach answers then. */
export const claude = () =>
  variables({
    ANTHROPIC_API_KEY: text("the Anthropic API key").optional(),
    ANTHROPIC_MODEL: matching(/^[\w.:@/-]+$/, "a model id (letters, digits and . : @ / - _)").default(CLAUDE_DEFAULTS.model),
    ANTHROPIC_MAX_TOKENS: integer(1, 128_000).default(CLAUDE_DEFAULTS.maxTokens),
    ANTHROPIC_EFFORT: oneOf(EFFORT_LEVELS).optional(),
    ANTHROPIC_TIMEOUT_MS: integer(1_000, 900_000).default(CLAUDE_DEFAULTS.timeoutMs),
    ANTHROPIC_MAX_RETRIES: integer(0, 10).default(CLAUDE_DEFAULTS.maxRetries),
    ANTHROPIC_BASE_URL: httpUrl().optional(),
  })
  .transform((env) =>
    env.ANTHROPIC_API_KEY === undefined
      ? undefined
      : {
          apiKey: env.ANTHROPIC_API_KEY,
          model: env.ANTHROPIC_MODEL,
          /** `max_tokens` of every request (each tool round is one request): thinking and text together. */
          maxTokens: env.ANTHROPIC_MAX_TOKENS,
          /** The effort of requests whose flow (or /v1 caller) asks for none; unset means CLAUDE_DEFAULTS.effort. */
          ...(env.ANTHROPIC_EFFORT ? { effort: env.ANTHROPIC_EFFORT } : {}),
          /** SDK timeout of one HTTP attempt, in milliseconds. */
          timeoutMs: env.ANTHROPIC_TIMEOUT_MS,
          /** SDK retries of 408/409/429/5xx/529 answers and connection errors. */
          maxRetries: env.ANTHROPIC_MAX_RETRIES,
          /** Another Messages API endpoint (the local fake in tests, a proxy). */
          ...(env.ANTHROPIC_BASE_URL ? { baseURL: env.ANTHROPIC_BASE_URL.replace(/\/+$/, "") } : {}),
          /**
           * The longest `retry-after` the SDK may sleep before a retry; a longer one
           * fails at once with a retryable error, so a Lambda does not sleep through
           * its own timeout. The SDK otherwise obeys any `retry-after`.
           */
          maxRetryWaitMs,
        },
  );

/** A model served under the OpenAI-compatible API, mapped to a provider model. */
export interface ServedModel {
  id: string;
  /** The provider's model id; undefined means the provider's configured default. */
  providerModel?: string;
}

function servedModels(raw: string): ServedModel[] | undefined {
  const models: ServedModel[] = [];
  for (const entry of raw.split(",")) {
    const [id, providerModel] = entry.split("=").map((part) => part.trim());
    if (!id || !/^[\w.:-]{1,64}$/.test(id)) return undefined;
    models.push(providerModel ? { id, providerModel } : { id });
  }
  return models;
}

/**
 * The external AI service a questionnaire can use instead of the model (the
 * classic `POST /v1/chat/next-question` contract). Absent as a whole without
 * AI_SERVICE_URL; with it, the key is required.
 */
export const aiService = () =>
  variables({
    AI_SERVICE_URL: httpUrl().optional(),
    AI_SERVICE_API_KEY: text("the AI service's API key").optional(),
    AI_SERVICE_TIMEOUT_MS: integer(100, 120_000).default(10_000),
  })
  .transform((env, context) => {
    if (env.AI_SERVICE_URL === undefined) return undefined;
    if (env.AI_SERVICE_API_KEY === undefined) {
      return context.fail({ variable: "AI_SERVICE_API_KEY", expected: "the AI service's API key (AI_SERVICE_URL is set)", missing: true });
    }
    return {
      /** The service's base URL; requests go to `{url}/v1/chat/next-question`. */
      url: env.AI_SERVICE_URL.replace(/\/+$/, ""),
      apiKey: env.AI_SERVICE_API_KEY,
      /** One request's limit; a slower answer is a retryable failure of the turn. */
      timeoutMs: env.AI_SERVICE_TIMEOUT_MS,
    };
  });

export const completions = () =>
  variables({
    COMPLETION_MODELS: reader("comma-separated name=providerModel entries, each name 1-64 of letters, digits and . : _ -", servedModels).default([
      { id: "coach" },
    ]),
  })
  .transform((env) => ({
    /** By default one model, `coach`, on the provider's own configured model (Claude's ANTHROPIC_MODEL, or the offline coach). */
    models: env.COMPLETION_MODELS,
  }));

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Keys fetched over plain HTTP could be swapped in transit; only the local dev issuer may use it. */
const jwksUri = (raw: string) => {
  if (!URL.canParse(raw)) return undefined;
  const uri = new URL(raw);
  return uri.protocol === "https:" || (uri.protocol === "http:" && LOOPBACK.has(uri.hostname)) ? uri.href : undefined;
};

/** JWT_* are optional here and required where a handler verifies a token (`required("JWT_ISSUER")`). */
export const http = () =>
  variables({
    JWT_ISSUER: text("the JWT issuer").optional(),
    JWT_AUDIENCE: text("the JWT audience").optional(),
    JWT_JWKS_URI: reader("an https URL (plain http is allowed for loopback only)", jwksUri).optional(),
    // Unset allows any origin; an empty value allows none, so here blank does not mean unset.
    CORS_ORIGINS: raw(),
  })
  .transform((env) => ({
    jwt: { issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE, jwksUri: env.JWT_JWKS_URI },
    corsOrigins: (env.CORS_ORIGINS ?? "*")
      .split(",")
      .map((origin) => origin.trim())
      .filter(Boolean),
  }));

/** Set on the functions that need them; required where used (`required("TURN_WORKER_FUNCTION")`). */
export const realtime = () =>
  variables({
    WEBSOCKET_MANAGEMENT_ENDPOINT: httpUrl().optional(),
    TURN_WORKER_FUNCTION: text("the turn worker's function name").optional(),
    QUESTIONNAIRE_WORKER_FUNCTION: text("the questionnaire worker's function name").optional(),
    LAMBDA_ENDPOINT: httpUrl().optional(),
  })
  .transform((env) => ({
    /** API Gateway's `@connections` endpoint (locally: the runtime's emulation). */
    managementEndpoint: env.WEBSOCKET_MANAGEMENT_ENDPOINT,
    turnWorkerFunction: env.TURN_WORKER_FUNCTION,
    questionnaireWorkerFunction: env.QUESTIONNAIRE_WORKER_FUNCTION,
    /** Set only off AWS: the local runtime's emulation of Lambda's Invoke API. */
    lambdaEndpoint: env.LAMBDA_ENDPOINT,
  }));

export const LOG_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL", "SILENT"] as const;

export const observability = () =>
  variables({
    POWERTOOLS_SERVICE_NAME: text("a service name").default("coach"),
    LOG_LEVEL: oneOf(LOG_LEVELS, { caseInsensitive: true }).default("INFO"),
  })
  .transform((env) => ({ serviceName: env.POWERTOOLS_SERVICE_NAME, logLevel: env.LOG_LEVEL }));

/** SST's placeholder for a bound secret whose value is in SSM. */
const FETCH_FROM_SSM = "__FETCH_FROM_SSM__";

/**
 * Where the Anthropic key is on AWS: an SST `Config.Secret` bound to the
 * function is a placeholder variable plus an SSM parameter (with the app's
 * `.fallback` parameter for stages that set none), as `sst/node/config` reads it.
 */
export const secretStore = () =>
  variables({
    SST_Secret_value_ANTHROPIC_API_KEY: raw(),
    SST_SSM_PREFIX: text("SST's SSM prefix").optional(),
    SST_APP: text("the SST app's name").optional(),
    SST_REGION: text("an AWS region").optional(),
    AWS_REGION: text("an AWS region").optional(),
    AWS_DEFAULT_REGION: text("an AWS region").optional(),
    AWS_ACCESS_KEY_ID: text("an AWS access key id").optional(),
    AWS_SECRET_ACCESS_KEY: text("an AWS secret access key").optional(),
    AWS_SESSION_TOKEN: text("an AWS session token").optional(),
  })
  .transform((env, context) => {
    const binding = env.SST_Secret_value_ANTHROPIC_API_KEY;
    const region = env.SST_REGION ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
    const credentials =
      env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN }
        : undefined;
    if (binding !== FETCH_FROM_SSM) return { anthropicApiKey: binding ? { value: binding } : undefined, region, credentials };
    if (env.SST_APP === undefined) {
      return context.fail({ variable: "SST_APP", expected: "the SST app's name (SST sets it beside a bound secret)", missing: true });
    }
    const name = "Secret/ANTHROPIC_API_KEY/value";
    return {
      anthropicApiKey: { parameterName: `${env.SST_SSM_PREFIX ?? ""}${name}`, fallbackParameterName: `/sst/${env.SST_APP}/.fallback/${name}` },
      region,
      credentials,
    };
  });
