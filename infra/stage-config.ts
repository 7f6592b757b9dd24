import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import { EFFORT_LEVELS, type Effort } from "../packages/core/src/ai/provider";

/**
 * Per-stage settings. Every number the stacks and alarms use lives here, so a
 * threshold is changed in one place and the stack tests read the same values.
 *
 * `dev`, `staging` and `prod` have their own profiles. Any other stage name
 * (a personal `sst dev` stage such as `alice`, a preview stage `pr-42`) gets the
 * dev profile: throwaway data, relaxed alarms.
 *
 * Values that differ per team (identity provider, origins, alarm recipients,
 * region, custom domain) come from environment variables, which SST also
 * loads from `.env.<stage>` before the stacks run. See DEPLOYMENT.md.
 */

export type StageProfile = "dev" | "staging" | "prod";

export type LogRetention = Lowercase<keyof typeof RetentionDays>;

export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR";

export interface AlarmThresholds {
  /** Periods (of `periodMinutes`) an alarm must breach before it fires. */
  readonly evaluationPeriods: number;
  readonly periodMinutes: number;
  /** Lambda: 100 * Errors / Invocations, percent. */
  readonly lambdaErrorRatePercent: number;
  /** Lambda: Throttles above this count fires. */
  readonly lambdaThrottles: number;
  /** Lambda: p99 Duration above this fraction of the function's timeout fires. */
  readonly lambdaDurationP99FractionOfTimeout: number;
  /** REST API: 100 * 5XXError / Count, percent. */
  readonly restApi5xxRatePercent: number;
  /** REST API: p99 Latency, milliseconds. */
  readonly restApiLatencyP99Ms: number;
  /** WebSocket API: IntegrationError count per period at or above this fires. */
  readonly webSocketIntegrationErrors: number;
  /** WebSocket API: ExecutionError count per period at or above this fires. */
  readonly webSocketExecutionErrors: number;
  /** DynamoDB: ThrottledRequests above this count fires. */
  readonly tableThrottledRequests: number;
  /** DynamoDB: SystemErrors above this count fires. */
  readonly tableSystemErrors: number;
  /** AI provider: 100 * ProviderErrors / ProviderRequests, percent. */
  readonly providerErrorRatePercent: number;
  /** Conversation turn: p99 TurnLatency, milliseconds. */
  readonly turnLatencyP99Ms: number;
}

export interface CustomDomain {
  /** e.g. `api.example.com`; must be lowercase. */
  readonly domainName: string;
  /** Route 53 hosted zone that serves the domain, e.g. `example.com`. */
  readonly hostedZone: string;
}

/** Message acceptance and turn settings, passed to the functions as environment variables. */
export interface ConversationSettings {
  /** `RATE_LIMIT_SESSION_PER_MINUTE`: user messages one session accepts per minute. */
  readonly rateLimitSessionPerMinute: number;
  /** `RATE_LIMIT_USER_PER_MINUTE`: user messages one user may send per minute, over all sessions. */
  readonly rateLimitUserPerMinute: number;
  /** `TURN_LOCK_SECONDS`: lifetime of a session's turn lock; a running turn keeps extending it, a crashed one frees the session after it. */
  readonly turnLockSeconds: number;
  /** `QUESTIONNAIRE_EXPIRY_HOURS`: an incomplete questionnaire is gone this long after its last activity. */
  readonly questionnaireExpiryHours: number;
  /**
   * How long Lambda keeps an asynchronous worker invocation queued (e.g. while
   * the worker is throttled) before dropping it. A job older than the turn lock
   * can no longer claim its turn, so there is no point keeping it longer than
   * that; Lambda's minimum is 60 s.
   */
  readonly workerMaxEventAgeSeconds: number;
}

/** The Claude model and default effort of a stage; unset, the handlers' own defaults (packages/core/src/ai/claude-config.ts). */
export interface AiSettings {
  /** `ANTHROPIC_MODEL`, from COACH_ANTHROPIC_MODEL. */
  readonly model: string | undefined;
  /** `ANTHROPIC_EFFORT`, from COACH_ANTHROPIC_EFFORT. */
  readonly effort: Effort | undefined;
  /**
   * The external AI service questionnaires use instead of the model
   * (`AI_SERVICE_URL`, `AI_SERVICE_API_KEY`), from COACH_AI_SERVICE_URL and
   * COACH_AI_SERVICE_API_KEY; set on the functions that run turns only.
   */
  readonly service: { readonly url: string; readonly apiKey: string } | undefined;
}

/**
 * How the web app signs in (OIDC authorization code + PKCE), baked into its
 * build as `VITE_OIDC_*` by the Web stack.
 */
export interface OidcSettings {
  /** The stage's JWT issuer: the app signs in where the API's tokens come from. */
  readonly authority: string;
  /**
   * COACH_OIDC_CLIENT_ID, default the JWT audience: the app calls the API
   * with its ID token, whose `aud` is this client id, and the API accepts only
   * its JWT audience.
   */
  readonly clientId: string;
  /** COACH_OIDC_SCOPE; unset, the app's own default (`openid profile email`). */
  readonly scope: string | undefined;
}

export interface StageConfig {
  /** The stage name as given to SST (`--stage`). */
  readonly stage: string;
  /** Which profile the stage uses; unknown stage names use `dev`. */
  readonly profile: StageProfile;
  readonly isProduction: boolean;
  readonly region: string;
  /** `retain` keeps data when a stage is removed; `destroy` deletes it. */
  readonly removalPolicy: "retain" | "destroy";
  readonly jwt: { readonly issuer: string; readonly audience: string; readonly jwksUri: string };
  /**
   * Browser origins the REST API allows besides the web app's own
   * (COACH_CORS_ORIGINS). The web app is deployed on every stage and its
   * origin is always allowed, so the default is none: the app's origin alone.
   */
  readonly extraCorsOrigins: readonly string[];
  readonly oidc: OidcSettings;
  readonly throttling: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logLevel: LogLevel;
  readonly logRetention: LogRetention;
  readonly functions: { readonly timeoutSeconds: number; readonly memoryMb: number };
  readonly conversation: ConversationSettings;
  readonly ai: AiSettings;
  readonly alarms: AlarmThresholds;
  readonly alarmEmails: readonly string[];
  readonly customDomain: CustomDomain | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

interface ProfileDefaults {
  readonly removalPolicy: StageConfig["removalPolicy"];
  readonly throttling: StageConfig["throttling"];
  readonly logLevel: LogLevel;
  readonly logRetention: LogRetention;
  readonly functions: StageConfig["functions"];
  readonly conversation: ConversationSettings;
  readonly alarms: AlarmThresholds;
  /** staging and prod refuse to build without a real identity provider. */
  readonly requireJwt: boolean;
}

export const defaultRegion = "us-east-1";

const devJwtIssuer = "https://issuer.invalid/coach-dev";
const devJwtAudience = "coach-dev";

/** The handlers' own defaults (packages/core: ratelimit, turn/lock, conversation/expiry), stated here so every stage sets them explicitly. */
const conversationDefaults: ConversationSettings = {
  rateLimitSessionPerMinute: 60,
  rateLimitUserPerMinute: 120,
  turnLockSeconds: 30,
  questionnaireExpiryHours: 24,
  workerMaxEventAgeSeconds: 60,
};

const profiles: Record<StageProfile, ProfileDefaults> = {
  dev: {
    removalPolicy: "destroy",
    throttling: { rateLimit: 50, burstLimit: 100 },
    logLevel: "DEBUG",
    logRetention: "one_week",
    functions: { timeoutSeconds: 10, memoryMb: 512 },
    conversation: conversationDefaults,
    requireJwt: false,
    alarms: {
      evaluationPeriods: 1,
      periodMinutes: 5,
      lambdaErrorRatePercent: 10,
      lambdaThrottles: 0,
      lambdaDurationP99FractionOfTimeout: 0.8,
      restApi5xxRatePercent: 10,
      restApiLatencyP99Ms: 2000,
      webSocketIntegrationErrors: 10,
      webSocketExecutionErrors: 10,
      tableThrottledRequests: 0,
      tableSystemErrors: 0,
      providerErrorRatePercent: 50,
      turnLatencyP99Ms: 60_000,
    },
  },
  staging: {
    removalPolicy: "destroy",
    throttling: { rateLimit: 100, burstLimit: 200 },
    logLevel: "INFO",
    logRetention: "one_month",
    functions: { timeoutSeconds: 10, memoryMb: 512 },
    conversation: conversationDefaults,
    requireJwt: true,
    alarms: {
      evaluationPeriods: 1,
      periodMinutes: 5,
      lambdaErrorRatePercent: 5,
      lambdaThrottles: 0,
      lambdaDurationP99FractionOfTimeout: 0.8,
      restApi5xxRatePercent: 5,
      restApiLatencyP99Ms: 2000,
      webSocketIntegrationErrors: 5,
      webSocketExecutionErrors: 5,
      tableThrottledRequests: 0,
      tableSystemErrors: 0,
      providerErrorRatePercent: 20,
      turnLatencyP99Ms: 45_000,
    },
  },
  prod: {
    removalPolicy: "retain",
    throttling: { rateLimit: 500, burstLimit: 1000 },
    logLevel: "INFO",
    logRetention: "three_months",
    functions: { timeoutSeconds: 10, memoryMb: 1024 },
    conversation: conversationDefaults,
    requireJwt: true,
    alarms: {
      evaluationPeriods: 2,
      periodMinutes: 5,
      lambdaErrorRatePercent: 2,
      lambdaThrottles: 0,
      lambdaDurationP99FractionOfTimeout: 0.8,
      restApi5xxRatePercent: 1,
      restApiLatencyP99Ms: 2000,
      webSocketIntegrationErrors: 1,
      webSocketExecutionErrors: 1,
      tableThrottledRequests: 0,
      tableSystemErrors: 0,
      providerErrorRatePercent: 10,
      turnLatencyP99Ms: 30_000,
    },
  },
};

export function profileOf(stage: string): StageProfile {
  return stage === "prod" || stage === "staging" ? stage : "dev";
}

const list = (value: string | undefined): string[] | undefined => {
  if (value === undefined || value.trim() === "") return undefined;
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
};

/** The region a stage deploys to: `COACH_REGION`, else the default. `sst --region` still wins. */
export function stageRegion(env: Env = process.env): string {
  return env.COACH_REGION?.trim() || defaultRegion;
}

/**
 * Settings for `stage`. Reads (all optional for dev-like stages):
 * COACH_REGION, COACH_JWT_ISSUER, COACH_JWT_AUDIENCE, COACH_JWT_JWKS_URI,
 * COACH_CORS_ORIGINS (comma-separated), COACH_ALARM_EMAILS (comma-separated),
 * COACH_API_DOMAIN + COACH_API_HOSTED_ZONE, COACH_ANTHROPIC_MODEL,
 * COACH_ANTHROPIC_EFFORT, COACH_OIDC_CLIENT_ID, COACH_OIDC_SCOPE. staging and
 * prod require COACH_JWT_ISSUER and COACH_JWT_AUDIENCE.
 */
export function stageConfig(stage: string, env: Env = process.env): StageConfig {
  const profile = profileOf(stage);
  const defaults = profiles[profile];

  const issuer = env.COACH_JWT_ISSUER?.trim() || undefined;
  const audience = env.COACH_JWT_AUDIENCE?.trim() || undefined;
  if (defaults.requireJwt && (issuer === undefined || audience === undefined)) {
    throw new Error(
      `Stage "${stage}" needs COACH_JWT_ISSUER and COACH_JWT_AUDIENCE (set them in the shell or in .env.${stage}); see DEPLOYMENT.md.`,
    );
  }
  const jwtIssuer = (issuer ?? devJwtIssuer).replace(/\/+$/, "");

  const domainName = env.COACH_API_DOMAIN?.trim() || undefined;
  const hostedZone = env.COACH_API_HOSTED_ZONE?.trim() || undefined;
  if ((domainName === undefined) !== (hostedZone === undefined)) {
    throw new Error("Set both COACH_API_DOMAIN and COACH_API_HOSTED_ZONE, or neither.");
  }

  return {
    stage,
    profile,
    isProduction: profile === "prod",
    region: stageRegion(env),
    removalPolicy: defaults.removalPolicy,
    jwt: {
      issuer: jwtIssuer,
      audience: audience ?? devJwtAudience,
      jwksUri: env.COACH_JWT_JWKS_URI?.trim() || `${jwtIssuer}/.well-known/jwks.json`,
    },
    extraCorsOrigins: extraCorsOrigins(list(env.COACH_CORS_ORIGINS) ?? []),
    oidc: {
      authority: jwtIssuer,
      clientId: env.COACH_OIDC_CLIENT_ID?.trim() || (audience ?? devJwtAudience),
      scope: env.COACH_OIDC_SCOPE?.trim() || undefined,
    },
    throttling: defaults.throttling,
    logLevel: defaults.logLevel,
    logRetention: defaults.logRetention,
    functions: defaults.functions,
    conversation: defaults.conversation,
    ai: aiSettings(env),
    alarms: defaults.alarms,
    alarmEmails: list(env.COACH_ALARM_EMAILS) ?? [],
    customDomain: domainName !== undefined && hostedZone !== undefined ? { domainName, hostedZone } : undefined,
  };
}

/**
 * Each entry must be exactly an origin (`scheme://host[:port]`), as browsers
 * send it: a trailing slash or a path would never match. `*` cannot stand
 * beside the web app's origin (API Gateway's preflight mixes no wildcard with
 * origins), and exact origins are the point.
 */
function extraCorsOrigins(origins: readonly string[]): string[] {
  for (const origin of origins) {
    if (origin === "*") throw new Error("COACH_CORS_ORIGINS cannot be *: list the origins to allow besides the web app's, which is always allowed.");
    const parsed = URL.canParse(origin) ? new URL(origin) : undefined;
    const isWeb = parsed !== undefined && (parsed.protocol === "https:" || parsed.protocol === "http:");
    if (!isWeb || parsed.origin !== origin) {
      const hint = isWeb ? ` (did you mean ${parsed.origin}?)` : "";
      throw new Error(`COACH_CORS_ORIGINS: "${origin}" is not an origin, http(s)://host[:port] with no path${hint}`);
    }
  }
  return [...origins];
}

/** The web app's build-time sign-in settings (packages/web/src/config.ts); no VITE_OIDC_SCOPE when the stage keeps the app's default. */
export function oidcEnvironment(settings: OidcSettings): Record<string, string> {
  return {
    VITE_OIDC_AUTHORITY: settings.authority,
    VITE_OIDC_CLIENT_ID: settings.clientId,
    ...(settings.scope ? { VITE_OIDC_SCOPE: settings.scope } : {}),
  };
}

function aiSettings(env: Env): AiSettings {
  const model = env.COACH_ANTHROPIC_MODEL?.trim() || undefined;
  if (model !== undefined && !/^[\w.:@/-]+$/.test(model)) throw new Error(`COACH_ANTHROPIC_MODEL is not a model id: "${model}"`);
  const rawEffort = env.COACH_ANTHROPIC_EFFORT?.trim() || undefined;
  const effort = EFFORT_LEVELS.find((level) => level === rawEffort);
  if (rawEffort !== undefined && effort === undefined) {
    throw new Error(`COACH_ANTHROPIC_EFFORT must be one of ${EFFORT_LEVELS.join(", ")}, got "${rawEffort}"`);
  }
  return { model, effort, service: aiServiceSettings(env) };
}

function aiServiceSettings(env: Env): AiSettings["service"] {
  const url = env.COACH_AI_SERVICE_URL?.trim() || undefined;
  const apiKey = env.COACH_AI_SERVICE_API_KEY?.trim() || undefined;
  if (url === undefined && apiKey === undefined) return undefined;
  if (url === undefined || apiKey === undefined) throw new Error("COACH_AI_SERVICE_URL and COACH_AI_SERVICE_API_KEY are set together or not at all");
  if (!URL.canParse(url) || new URL(url).protocol !== "https:") throw new Error(`COACH_AI_SERVICE_URL must be an https URL, got "${url}"`);
  return { url, apiKey };
}

/** The environment of a function that runs turns: the external AI service, where the stage has one. */
export function aiServiceEnvironment(settings: AiSettings): Record<string, string> {
  return settings.service ? { AI_SERVICE_URL: settings.service.url, AI_SERVICE_API_KEY: settings.service.apiKey } : {};
}

/** The environment variables the Claude adapter reads a stage's `ai` settings from; none when a stage keeps the defaults. */
export function aiEnvironment(settings: AiSettings): Record<string, string> {
  return {
    ...(settings.model ? { ANTHROPIC_MODEL: settings.model } : {}),
    ...(settings.effort ? { ANTHROPIC_EFFORT: settings.effort } : {}),
  };
}

/** The environment variables the handlers read `conversation` from (packages/core: ratelimit, turn/lock). */
export function conversationEnvironment(settings: ConversationSettings): Record<string, string> {
  return {
    RATE_LIMIT_SESSION_PER_MINUTE: String(settings.rateLimitSessionPerMinute),
    RATE_LIMIT_USER_PER_MINUTE: String(settings.rateLimitUserPerMinute),
    TURN_LOCK_SECONDS: String(settings.turnLockSeconds),
    QUESTIONNAIRE_EXPIRY_HOURS: String(settings.questionnaireExpiryHours),
  };
}
