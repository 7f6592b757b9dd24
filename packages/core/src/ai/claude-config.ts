import { EFFORT_LEVELS, type Effort } from "./provider";

/**
 * Configuration of the Claude adapter, from the environment. Read once per
 * process (`claudeConfig()`); `loadClaudeConfig(env)` reads a given
 * environment, for tests and for start-up validation.
 */

/** Claude Sonnet 5.5, the current Sonnet (Claude Sonnet 5 is legacy; 4.5 reaches end-of-life on 30 November 2026). */
export const DEFAULT_CLAUDE_MODEL = "claude-sonnet-5-5";

export interface ClaudeConfig {
  apiKey: string;
  model: string;
  /** `max_tokens` of every request (each tool round is one request): thinking and text together. */
  maxTokens: number;
  /** ANTHROPIC_EFFORT: the effort of requests whose flow (or /v1 caller) asks for none; unset means CLAUDE_DEFAULTS.effort. */
  effort?: Effort;
  /** SDK timeout of one HTTP attempt, in milliseconds. */
  timeoutMs: number;
  /** SDK retries of 408/409/429/5xx/529 answers and connection errors. */
  maxRetries: number;
  /** Another Messages API endpoint (the local fake in tests, a proxy). */
  baseURL?: string;
  /**
   * The longest `retry-after` the SDK may sleep before a retry; a longer one
   * fails at once with a retryable error, so a Lambda does not sleep through
   * its own timeout. The SDK otherwise obeys any `retry-after`.
   */
  maxRetryWaitMs: number;
}

export const CLAUDE_DEFAULTS = {
  model: DEFAULT_CLAUDE_MODEL,
  maxTokens: 2048,
  /** A coaching chat's replies are short and its first words should come soon. */
  effort: "low",
  timeoutMs: 60_000,
  maxRetries: 2,
  maxRetryWaitMs: 10_000,
} as const;

/** A missing or malformed ANTHROPIC_* variable. The message names the variable, never the key. */
export class ClaudeConfigError extends Error {
  override readonly name = "ClaudeConfigError";
}

export function loadClaudeConfig(env: NodeJS.ProcessEnv = process.env): ClaudeConfig {
  const apiKey = env.ANTHROPIC_API_KEY?.trim();
  if (!apiKey) throw new ClaudeConfigError("ANTHROPIC_API_KEY is required for the Claude provider");

  const integer = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new ClaudeConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };

  const model = env.ANTHROPIC_MODEL?.trim() || CLAUDE_DEFAULTS.model;
  if (!/^[\w.:@/-]+$/.test(model)) throw new ClaudeConfigError(`ANTHROPIC_MODEL is not a model id: "${model}"`);

  const rawEffort = env.ANTHROPIC_EFFORT?.trim();
  const effort = rawEffort ? EFFORT_LEVELS.find((level) => level === rawEffort) : undefined;
  if (rawEffort && !effort) throw new ClaudeConfigError(`ANTHROPIC_EFFORT must be one of ${EFFORT_LEVELS.join(", ")}, got "${rawEffort}"`);

  const rawBaseURL = env.ANTHROPIC_BASE_URL?.trim();
  let baseURL: string | undefined;
  if (rawBaseURL) {
    let url: URL;
    try {
      url = new URL(rawBaseURL);
    } catch {
      throw new ClaudeConfigError(`ANTHROPIC_BASE_URL must be an http(s) URL, got "${rawBaseURL}"`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new ClaudeConfigError(`ANTHROPIC_BASE_URL must be an http(s) URL, got "${rawBaseURL}"`);
    }
    baseURL = rawBaseURL.replace(/\/+$/, "");
  }

  return {
    apiKey,
    model,
    maxTokens: integer("ANTHROPIC_MAX_TOKENS", CLAUDE_DEFAULTS.maxTokens, 1, 128_000),
    ...(effort ? { effort } : {}),
    timeoutMs: integer("ANTHROPIC_TIMEOUT_MS", CLAUDE_DEFAULTS.timeoutMs, 1_000, 900_000),
    maxRetries: integer("ANTHROPIC_MAX_RETRIES", CLAUDE_DEFAULTS.maxRetries, 0, 10),
    baseURL,
    maxRetryWaitMs: CLAUDE_DEFAULTS.maxRetryWaitMs,
  };
}

let processConfig: ClaudeConfig | undefined;

/** The process's Claude configuration, read from `process.env` on first use. */
export function claudeConfig(): ClaudeConfig {
  return (processConfig ??= loadClaudeConfig(process.env));
}
