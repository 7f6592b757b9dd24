import { describe, expect, it } from "vitest";
import { aiEnvironment, aiServiceEnvironment, conversationEnvironment, oidcEnvironment, profileOf, stageConfig, stageRegion } from "./stage-config";

const jwt = { COACH_JWT_ISSUER: "https://issuer.example.test/", COACH_JWT_AUDIENCE: "coach" };

describe("stageConfig", () => {
  it("gives unknown (personal, preview) stages the dev profile", () => {
    expect(profileOf("alice")).toBe("dev");
    expect(profileOf("pr-42")).toBe("dev");
    const config = stageConfig("alice", {});
    expect(config).toMatchObject({ stage: "alice", profile: "dev", isProduction: false, removalPolicy: "destroy" });
    expect(config.alarms).toEqual(stageConfig("dev", {}).alarms);
  });

  it("retains prod data and keeps every other stage disposable", () => {
    expect(stageConfig("prod", jwt)).toMatchObject({ isProduction: true, removalPolicy: "retain" });
    expect(stageConfig("staging", jwt)).toMatchObject({ isProduction: false, removalPolicy: "destroy" });
    expect(stageConfig("dev", {})).toMatchObject({ isProduction: false, removalPolicy: "destroy" });
  });

  it("refuses to build staging or prod without an identity provider", () => {
    expect(() => stageConfig("prod", {})).toThrow(/COACH_JWT_ISSUER/);
    expect(() => stageConfig("staging", { COACH_JWT_ISSUER: "https://issuer.example.test" })).toThrow(/COACH_JWT_AUDIENCE/);
  });

  it("derives the JWKS URI from the issuer unless given", () => {
    expect(stageConfig("prod", jwt).jwt).toEqual({
      issuer: "https://issuer.example.test",
      audience: "coach",
      jwksUri: "https://issuer.example.test/.well-known/jwks.json",
    });
    expect(stageConfig("prod", { ...jwt, COACH_JWT_JWKS_URI: "https://keys.example.test/jwks" }).jwt.jwksUri).toBe("https://keys.example.test/jwks");
  });

  it("reads lists, region and custom domain from the environment", () => {
    const config = stageConfig("prod", {
      ...jwt,
      COACH_ALARM_EMAILS: "a@example.test, b@example.test",
      COACH_CORS_ORIGINS: "https://app.example.test, http://localhost:5173",
      COACH_REGION: "eu-west-1",
      COACH_API_DOMAIN: "api.example.test",
      COACH_API_HOSTED_ZONE: "example.test",
    });
    expect(config.alarmEmails).toEqual(["a@example.test", "b@example.test"]);
    expect(config.extraCorsOrigins).toEqual(["https://app.example.test", "http://localhost:5173"]);
    expect(config.region).toBe("eu-west-1");
    expect(config.customDomain).toEqual({ domainName: "api.example.test", hostedZone: "example.test" });
    expect(stageRegion({})).toBe("us-east-1");
    expect(() => stageConfig("dev", { COACH_API_DOMAIN: "api.example.test" })).toThrow(/COACH_API_HOSTED_ZONE/);
  });

  it("alarms more tightly in prod than in dev", () => {
    const prod = stageConfig("prod", jwt).alarms;
    const dev = stageConfig("dev", {}).alarms;
    expect(prod.lambdaErrorRatePercent).toBeLessThan(dev.lambdaErrorRatePercent);
    expect(prod.restApi5xxRatePercent).toBeLessThan(dev.restApi5xxRatePercent);
    expect(prod.restApiLatencyP99Ms).toBe(2000);
    for (const fraction of [prod.lambdaDurationP99FractionOfTimeout, dev.lambdaDurationP99FractionOfTimeout]) {
      expect(fraction).toBeGreaterThan(0);
      expect(fraction).toBeLessThan(1);
    }
  });

  it("sets rate limits, the turn lock and the questionnaire expiry per stage, with the handlers' defaults, and keeps worker jobs no longer than a lock", () => {
    for (const stage of ["dev", "staging", "prod", "alice"]) {
      const { conversation } = stageConfig(stage, jwt);
      expect(conversationEnvironment(conversation), stage).toEqual({
        RATE_LIMIT_SESSION_PER_MINUTE: "60",
        RATE_LIMIT_USER_PER_MINUTE: "120",
        TURN_LOCK_SECONDS: "30",
        QUESTIONNAIRE_EXPIRY_HOURS: "24",
      });
      // Lambda accepts 60 s to 6 h; a job older than the lock cannot claim its turn any more.
      expect(conversation.workerMaxEventAgeSeconds).toBeGreaterThanOrEqual(60);
      expect(conversation.workerMaxEventAgeSeconds).toBeLessThanOrEqual(Math.max(60, conversation.turnLockSeconds));
    }
  });

  it("sets a stage's Claude model and effort from COACH_ANTHROPIC_*, and keeps the handlers' defaults without them", () => {
    expect(stageConfig("dev", {}).ai).toEqual({ model: undefined, effort: undefined });
    expect(aiEnvironment(stageConfig("dev", {}).ai)).toEqual({});
    const chosen = stageConfig("prod", { ...jwt, COACH_ANTHROPIC_MODEL: "claude-sonnet-4-6", COACH_ANTHROPIC_EFFORT: "medium" });
    expect(aiEnvironment(chosen.ai)).toEqual({ ANTHROPIC_MODEL: "claude-sonnet-4-6", ANTHROPIC_EFFORT: "medium" });
    expect(() => stageConfig("dev", { COACH_ANTHROPIC_EFFORT: "extreme" })).toThrow(/COACH_ANTHROPIC_EFFORT must be one of low, medium, high, xhigh, max/);
    expect(() => stageConfig("dev", { COACH_ANTHROPIC_MODEL: "claude sonnet" })).toThrow(/not a model id/);
  });

  it("takes a stage's external AI service from COACH_AI_SERVICE_URL and COACH_AI_SERVICE_API_KEY together, over https only", () => {
    expect(aiServiceEnvironment(stageConfig("dev", {}).ai)).toEqual({});
    const chosen = stageConfig("dev", { COACH_AI_SERVICE_URL: "https://questions.example.test/", COACH_AI_SERVICE_API_KEY: "k" });
    expect(aiServiceEnvironment(chosen.ai)).toEqual({ AI_SERVICE_URL: "https://questions.example.test/", AI_SERVICE_API_KEY: "k" });
    expect(() => stageConfig("dev", { COACH_AI_SERVICE_URL: "https://questions.example.test" })).toThrow(/set together/);
    expect(() => stageConfig("dev", { COACH_AI_SERVICE_API_KEY: "k" })).toThrow(/set together/);
    expect(() => stageConfig("dev", { COACH_AI_SERVICE_URL: "http://questions.example.test", COACH_AI_SERVICE_API_KEY: "k" })).toThrow(/https/);
  });

  it("allows no browser origin besides the web app's unless COACH_CORS_ORIGINS adds some, on every stage", () => {
    for (const stage of ["dev", "staging", "prod", "alice"]) expect(stageConfig(stage, jwt).extraCorsOrigins, stage).toEqual([]);
  });

  it("refuses COACH_CORS_ORIGINS entries that are not exact origins, and the wildcard", () => {
    expect(() => stageConfig("dev", { COACH_CORS_ORIGINS: "*" })).toThrow(/COACH_CORS_ORIGINS cannot be \*/);
    expect(() => stageConfig("dev", { COACH_CORS_ORIGINS: "https://app.example.test/" })).toThrow(/did you mean https:\/\/app\.example\.test\?/);
    for (const bad of ["https://app.example.test/app", "app.example.test", "ftp://files.example.test"]) {
      expect(() => stageConfig("dev", { COACH_CORS_ORIGINS: bad }), bad).toThrow(/is not an origin/);
    }
  });

  it("signs the web app in at the JWT issuer, with the JWT audience as client id unless COACH_OIDC_CLIENT_ID says otherwise", () => {
    expect(stageConfig("prod", jwt).oidc).toEqual({ authority: "https://issuer.example.test", clientId: "coach", scope: undefined });
    expect(oidcEnvironment(stageConfig("prod", jwt).oidc)).toEqual({ VITE_OIDC_AUTHORITY: "https://issuer.example.test", VITE_OIDC_CLIENT_ID: "coach" });
    const chosen = stageConfig("prod", { ...jwt, COACH_OIDC_CLIENT_ID: " web-client ", COACH_OIDC_SCOPE: "openid email" });
    expect(oidcEnvironment(chosen.oidc)).toEqual({
      VITE_OIDC_AUTHORITY: "https://issuer.example.test",
      VITE_OIDC_CLIENT_ID: "web-client",
      VITE_OIDC_SCOPE: "openid email",
    });
    expect(stageConfig("dev", {}).oidc).toMatchObject({ authority: "https://issuer.invalid/coach-dev", clientId: "coach-dev" });
  });
});
