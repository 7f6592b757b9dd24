import { describe, expect, it } from "vitest";
import { ClaudeConfigError, DEFAULT_CLAUDE_MODEL, describeProvider, loadClaudeConfig, providerName, selectProvider } from "@coach/core/ai";

const KEY = "sk-ant-config-test-SECRET";

describe("Claude configuration", () => {
  it("defaults suit Lambda: a current Sonnet, 2048 tokens (room for its thinking), 60 s timeout, 2 retries", () => {
    expect(loadClaudeConfig({ ANTHROPIC_API_KEY: KEY })).toEqual({
      apiKey: KEY,
      model: DEFAULT_CLAUDE_MODEL,
      maxTokens: 2048,
      timeoutMs: 60_000,
      maxRetries: 2,
      baseURL: undefined,
      maxRetryWaitMs: 10_000,
    });
    expect(DEFAULT_CLAUDE_MODEL).toMatch(/^claude-sonnet-/);
  });

  it("reads every ANTHROPIC_* setting", () => {
    expect(
      loadClaudeConfig({
        ANTHROPIC_API_KEY: ` ${KEY} `,
        ANTHROPIC_MODEL: "claude-opus-5-5",
        ANTHROPIC_MAX_TOKENS: "4096",
        ANTHROPIC_TIMEOUT_MS: "30000",
        ANTHROPIC_MAX_RETRIES: "0",
        ANTHROPIC_BASE_URL: "http://127.0.0.1:4010/",
      }),
    ).toMatchObject({ apiKey: KEY, model: "claude-opus-5-5", maxTokens: 4096, timeoutMs: 30_000, maxRetries: 0, baseURL: "http://127.0.0.1:4010" });
  });

  it.each([
    [{}, /ANTHROPIC_API_KEY is required/],
    [{ ANTHROPIC_API_KEY: "  " }, /ANTHROPIC_API_KEY is required/],
    [{ ANTHROPIC_API_KEY: KEY, ANTHROPIC_MAX_TOKENS: "lots" }, /ANTHROPIC_MAX_TOKENS must be a whole number from 1 to 128000, got "lots"/],
    [{ ANTHROPIC_API_KEY: KEY, ANTHROPIC_MAX_TOKENS: "0" }, /ANTHROPIC_MAX_TOKENS/],
    [{ ANTHROPIC_API_KEY: KEY, ANTHROPIC_MAX_TOKENS: "1.5" }, /ANTHROPIC_MAX_TOKENS/],
    [{ ANTHROPIC_API_KEY: KEY, ANTHROPIC_TIMEOUT_MS: "-1" }, /ANTHROPIC_TIMEOUT_MS/],
    [{ ANTHROPIC_API_KEY: KEY, ANTHROPIC_MAX_RETRIES: "99" }, /ANTHROPIC_MAX_RETRIES must be a whole number from 0 to 10/],
    [{ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: "not a url" }, /ANTHROPIC_BASE_URL must be an http\(s\) URL/],
    [{ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: "ftp://example.com" }, /ANTHROPIC_BASE_URL/],
    [{ ANTHROPIC_API_KEY: KEY, ANTHROPIC_MODEL: "claude sonnet" }, /ANTHROPIC_MODEL/],
  ])("rejects %o clearly", (env, message) => {
    let thrown: unknown;
    try {
      loadClaudeConfig(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ClaudeConfigError);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).not.toContain(KEY);
  });
});

describe("provider selection", () => {
  it("picks Claude when ANTHROPIC_API_KEY is set, the offline coach otherwise", () => {
    expect(providerName({})).toBe("offline-coach");
    expect(providerName({ ANTHROPIC_API_KEY: "" })).toBe("offline-coach");
    expect(providerName({ ANTHROPIC_API_KEY: KEY })).toBe("claude");
    expect(selectProvider({}).name).toBe("offline-coach");
    expect(selectProvider({ ANTHROPIC_API_KEY: KEY }).name).toBe("claude");
  });

  it("describes the provider for start-up logs without the key", () => {
    expect(describeProvider({})).toBe("offline coach (no ANTHROPIC_API_KEY)");
    const line = describeProvider({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: "http://127.0.0.1:4010" });
    expect(line).toBe(`Claude (${DEFAULT_CLAUDE_MODEL} via http://127.0.0.1:4010)`);
    expect(line).not.toContain(KEY);
  });

  it("keeps the offline coach's knobs", () => {
    expect(() => selectProvider({ OFFLINE_COACH_DELAY_MS: "soon" })).toThrow(/OFFLINE_COACH_DELAY_MS must be a whole number/);
  });

  it("fails fast on a bad Claude setting", () => {
    expect(() => selectProvider({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_MAX_RETRIES: "x" })).toThrow(ClaudeConfigError);
  });
});
