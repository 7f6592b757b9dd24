import { describe, expect, it } from "vitest";
import { boundAnthropicApiKey, config, ConfigError, loadConfig, loadSection, required, type ConfigIssue } from "@coach/core/config";
import { signV4 } from "../src/config/sigv4";

const minimal = { TABLE_NAME: "coach-config-test" };

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("gives every section its defaults from a minimal environment", () => {
    const settings = loadConfig(minimal);
    expect(settings.table).toEqual({ tableName: "coach-config-test", endpoint: undefined, region: "us-east-1" });
    expect(settings.turn).toEqual({ lockSeconds: 30 });
    expect(settings.rateLimit).toEqual({ sessionPerMinute: 60, userPerMinute: 120 });
    expect(settings.offlineCoach).toEqual({ delayMs: undefined, failAfterDeltas: undefined, today: undefined });
    expect(settings.tracking).toEqual({ staleAfterSeconds: 300, stuckAfterSeconds: 900 });
    expect(settings.claude).toBeUndefined();
    expect(settings.completions).toEqual({ models: [{ id: "coach" }] });
    expect(settings.http).toEqual({ jwt: { issuer: undefined, audience: undefined, jwksUri: undefined }, corsOrigins: ["*"] });
    expect(settings.realtime).toEqual({ managementEndpoint: undefined, turnWorkerFunction: undefined, questionnaireWorkerFunction: undefined, lambdaEndpoint: undefined });
    expect(settings.observability).toEqual({ serviceName: "coach", logLevel: "INFO" });
  });

  it("reads every section's variables", () => {
    const settings = loadConfig({
      TABLE_NAME: "t",
      DYNAMODB_ENDPOINT: "http://127.0.0.1:8000",
      AWS_DEFAULT_REGION: "eu-west-1",
      TURN_LOCK_SECONDS: "5",
      RATE_LIMIT_SESSION_PER_MINUTE: "3",
      RATE_LIMIT_USER_PER_MINUTE: "7",
      OFFLINE_COACH_DELAY_MS: "20",
      OFFLINE_COACH_FAIL_AFTER: "0",
      OFFLINE_COACH_TODAY: "2026-03-01",
      TRACKING_STALE_AFTER_SECONDS: "60",
      TRACKING_STUCK_AFTER_SECONDS: "120",
      ANTHROPIC_API_KEY: "sk-ant-config",
      ANTHROPIC_EFFORT: "high",
      COMPLETION_MODELS: "coach, fast = claude-haiku-5",
      JWT_ISSUER: "https://issuer.example",
      JWT_AUDIENCE: "coach-api",
      JWT_JWKS_URI: "http://localhost:3000/.well-known/jwks.json",
      CORS_ORIGINS: "https://a.example, https://b.example,",
      WEBSOCKET_MANAGEMENT_ENDPOINT: "https://abc.execute-api.eu-west-1.amazonaws.com/dev",
      TURN_WORKER_FUNCTION: "coach-dev-turn",
      POWERTOOLS_SERVICE_NAME: "coach-dev",
      LOG_LEVEL: "debug",
    });
    expect(settings.table).toEqual({ tableName: "t", endpoint: "http://127.0.0.1:8000", region: "eu-west-1" });
    expect(settings.turn.lockSeconds).toBe(5);
    expect(settings.rateLimit).toEqual({ sessionPerMinute: 3, userPerMinute: 7 });
    expect(settings.offlineCoach).toEqual({ delayMs: 20, failAfterDeltas: 0, today: "2026-03-01" });
    expect(settings.tracking).toEqual({ staleAfterSeconds: 60, stuckAfterSeconds: 120 });
    expect(settings.claude).toMatchObject({ apiKey: "sk-ant-config", effort: "high", maxTokens: 2048 });
    expect(settings.completions.models).toEqual([{ id: "coach" }, { id: "fast", providerModel: "claude-haiku-5" }]);
    expect(settings.http).toEqual({
      jwt: { issuer: "https://issuer.example", audience: "coach-api", jwksUri: "http://localhost:3000/.well-known/jwks.json" },
      corsOrigins: ["https://a.example", "https://b.example"],
    });
    expect(settings.realtime).toMatchObject({ managementEndpoint: "https://abc.execute-api.eu-west-1.amazonaws.com/dev", turnWorkerFunction: "coach-dev-turn" });
    expect(settings.observability).toEqual({ serviceName: "coach-dev", logLevel: "DEBUG" });
  });

  it("lists every problem in one error: the variable, what it expects and what it got", () => {
    const error = configErrorOf(() =>
      loadConfig({
        TURN_LOCK_SECONDS: "1.5",
        RATE_LIMIT_USER_PER_MINUTE: "0",
        OFFLINE_COACH_TODAY: "tomorrow",
        JWT_JWKS_URI: "http://issuer.example/jwks.json",
        LOG_LEVEL: "chatty",
        COMPLETION_MODELS: "has space=x",
      }),
    );
    const byVariable = Object.fromEntries(error.issues.map((issue) => [issue.variable, issue]));
    expect(Object.keys(byVariable).sort()).toEqual(
      ["COMPLETION_MODELS", "JWT_JWKS_URI", "LOG_LEVEL", "OFFLINE_COACH_TODAY", "RATE_LIMIT_USER_PER_MINUTE", "TABLE_NAME", "TURN_LOCK_SECONDS"].sort(),
    );
    expect(byVariable.TABLE_NAME).toMatchObject<Partial<ConfigIssue>>({ missing: true });
    expect(byVariable.TURN_LOCK_SECONDS).toMatchObject({ expected: "a whole number of at least 1", given: "1.5", missing: false });
    expect(error.message).toContain("TABLE_NAME is required");
    expect(error.message).toContain('TURN_LOCK_SECONDS must be a whole number of at least 1, got "1.5"');
    expect(error.message).toContain('RATE_LIMIT_USER_PER_MINUTE must be a whole number of at least 1, got "0"');
    expect(error.message).toContain('OFFLINE_COACH_TODAY must be a date as YYYY-MM-DD, got "tomorrow"');
    expect(error.message).toContain("JWT_JWKS_URI must be an https URL (plain http is allowed for loopback only)");
    expect(error.message).toContain("LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT");
    expect(error.message).toContain("COMPLETION_MODELS must be comma-separated name=providerModel entries");
  });

  it("never shows a secret's value", () => {
    const error = configErrorOf(() => loadConfig({ ...minimal, ANTHROPIC_API_KEY: "sk-ant-SECRET", ANTHROPIC_MAX_TOKENS: "lots" }));
    expect(error.message).toContain('ANTHROPIC_MAX_TOKENS must be a whole number from 1 to 128000, got "lots"');
    expect(error.message).not.toContain("sk-ant-SECRET");
    const malformedSecret = configErrorOf(() => loadSection("secretStore", { SST_Secret_value_ANTHROPIC_API_KEY: "__FETCH_FROM_SSM__", AWS_SESSION_TOKEN: "tok-SECRET" }));
    expect(malformedSecret.issues).toEqual([expect.objectContaining({ variable: "SST_APP", missing: true })]);
    expect(malformedSecret.message).not.toContain("tok-SECRET");
  });

  it("keeps CORS_ORIGINS' two meanings apart: unset is any origin, empty is none", () => {
    expect(loadSection("http", {}).corsOrigins).toEqual(["*"]);
    expect(loadSection("http", { CORS_ORIGINS: "" }).corsOrigins).toEqual([]);
  });

  it("is frozen all the way down", () => {
    const settings = loadConfig(minimal);
    expect(Object.isFrozen(settings)).toBe(true);
    expect(Object.isFrozen(settings.table)).toBe(true);
    expect(Object.isFrozen(settings.completions.models)).toBe(true);
    expect(() => {
      Object.assign(settings.turn, { lockSeconds: 1 });
    }).toThrow(TypeError);
  });

  it("reads the environment it was given once: later changes do not show", () => {
    const env: Record<string, string> = { ...minimal, TURN_LOCK_SECONDS: "9" };
    const settings = loadConfig(env);
    env.TURN_LOCK_SECONDS = "10";
    expect(settings.turn.lockSeconds).toBe(9);
  });
});

describe("config()", () => {
  it("is the same frozen object on every call", () => {
    expect(config()).toBe(config());
    expect(config().table.tableName).toBe(process.env.TABLE_NAME);
  });

  it("names the variable a function needs but does not have", () => {
    expect(process.env.TURN_WORKER_FUNCTION).toBeUndefined();
    const error = configErrorOf(() => required("TURN_WORKER_FUNCTION"));
    expect(error.issues).toEqual([expect.objectContaining({ variable: "TURN_WORKER_FUNCTION", missing: true })]);
    expect(error.message).toContain("TURN_WORKER_FUNCTION is required");
  });
});

describe("the bound Anthropic key (SSM, as sst/node/config reads it)", () => {
  const bound = {
    SST_Secret_value_ANTHROPIC_API_KEY: "__FETCH_FROM_SSM__",
    SST_SSM_PREFIX: "/sst/coach/dev/",
    SST_APP: "coach",
    SST_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    AWS_SESSION_TOKEN: "session-token",
  };

  /** SSM's GetParameters over its JSON protocol, holding the given parameters. */
  function fakeSsm(parameters: Record<string, string>) {
    const calls: { url: string; headers: Record<string, string>; body: { Names: string[]; WithDecryption: boolean } }[] = [];
    const fetchImpl: typeof fetch = async (url, init) => {
      const body = JSON.parse(String(init?.body)) as { Names: string[]; WithDecryption: boolean };
      calls.push({ url: String(url), headers: Object.fromEntries(Object.entries(init?.headers ?? {})), body });
      const found = body.Names.filter((name) => name in parameters);
      return new Response(
        JSON.stringify({
          Parameters: found.map((name) => ({ Name: name, Value: parameters[name], Type: "SecureString" })),
          InvalidParameters: body.Names.filter((name) => !(name in parameters)),
        }),
        { status: 200, headers: { "content-type": "application/x-amz-json-1.1" } },
      );
    };
    return { calls, fetchImpl };
  }

  it("is the stage's parameter, fetched with one signed GetParameters call", async () => {
    const ssm = fakeSsm({ "/sst/coach/dev/Secret/ANTHROPIC_API_KEY/value": "sk-ant-stage" });
    expect(await boundAnthropicApiKey(loadSection("secretStore", bound), ssm.fetchImpl)).toBe("sk-ant-stage");
    expect(ssm.calls).toHaveLength(1);
    const [call] = ssm.calls;
    expect(call?.url).toBe("https://ssm.eu-west-1.amazonaws.com/");
    expect(call?.body).toEqual({ Names: ["/sst/coach/dev/Secret/ANTHROPIC_API_KEY/value"], WithDecryption: true });
    expect(call?.headers).toMatchObject({
      "x-amz-target": "AmazonSSM.GetParameters",
      "x-amz-security-token": "session-token",
      authorization: expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/ssm\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/),
    });
  });

  it("falls back to the app's .fallback parameter, and SST's placeholder means no key", async () => {
    const fallback = fakeSsm({ "/sst/coach/.fallback/Secret/ANTHROPIC_API_KEY/value": "sk-ant-fallback" });
    expect(await boundAnthropicApiKey(loadSection("secretStore", bound), fallback.fetchImpl)).toBe("sk-ant-fallback");
    expect(fallback.calls.map((call) => call.body.Names)).toEqual([["/sst/coach/dev/Secret/ANTHROPIC_API_KEY/value"], ["/sst/coach/.fallback/Secret/ANTHROPIC_API_KEY/value"]]);
    const placeholder = fakeSsm({ "/sst/coach/dev/Secret/ANTHROPIC_API_KEY/value": "__FETCH_FROM_SSM__" });
    expect(await boundAnthropicApiKey(loadSection("secretStore", bound), placeholder.fetchImpl)).toBeUndefined();
  });

  it("fails with SST's meaning when neither parameter exists, and never without a binding", async () => {
    await expect(boundAnthropicApiKey(loadSection("secretStore", bound), fakeSsm({}).fetchImpl)).rejects.toThrow(/ANTHROPIC_API_KEY is not set for this stage/);
    const unbound = fakeSsm({});
    expect(await boundAnthropicApiKey(loadSection("secretStore", {}), unbound.fetchImpl)).toBeUndefined();
    expect(unbound.calls).toEqual([]);
  });

  it("reports an SSM refusal with its error type and no secret", async () => {
    const denied: typeof fetch = async () => new Response(JSON.stringify({ __type: "AccessDeniedException", message: "not authorized" }), { status: 400 });
    const failure = boundAnthropicApiKey(loadSection("secretStore", bound), denied);
    await expect(failure).rejects.toThrow("SSM GetParameters failed with HTTP 400 (AccessDeniedException: not authorized)");
    await expect(failure).rejects.not.toThrow(/wJalr|session-token/);
  });
});

describe("signV4", () => {
  it("matches the AWS Signature Version 4 test suite (get-vanilla)", () => {
    const headers = signV4({
      method: "GET",
      url: new URL("https://example.amazonaws.com/"),
      headers: {},
      body: "",
      region: "us-east-1",
      service: "service",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
      now: new Date("2015-08-30T12:36:00Z"),
    });
    expect(headers.authorization).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    );
  });
});
