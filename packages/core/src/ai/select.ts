import { claudeProvider } from "./claude";
import { loadClaudeConfig } from "./claude-config";
import { offlineCoach } from "./offline-coach";
import type { AiProvider } from "./provider";

export type ProviderName = "claude" | "offline-coach";

/** Which provider `selectProvider(env)` answers with: Claude when ANTHROPIC_API_KEY is set, otherwise the offline coach. */
export function providerName(env: NodeJS.ProcessEnv = process.env): ProviderName {
  return env.ANTHROPIC_API_KEY?.trim() ? "claude" : "offline-coach";
}

/** One line for start-up logs, e.g. `Claude (claude-sonnet-5-5)` or `offline coach (no ANTHROPIC_API_KEY)`. Throws on a bad ANTHROPIC_* setting. */
export function describeProvider(env: NodeJS.ProcessEnv = process.env): string {
  if (providerName(env) === "offline-coach") return "offline coach (no ANTHROPIC_API_KEY)";
  const config = loadClaudeConfig(env);
  return `Claude (${config.model}${config.baseURL ? ` via ${config.baseURL}` : ""})`;
}

let processClaude: AiProvider | undefined;

/**
 * The provider for this process, chosen from the environment. The Claude
 * provider (and its SDK client) is made once per process from `process.env`;
 * a bad ANTHROPIC_* setting throws a ClaudeConfigError. The offline coach's
 * knobs (OFFLINE_COACH_DELAY_MS, OFFLINE_COACH_FAIL_AFTER, and
 * OFFLINE_COACH_TODAY for reproducible dates) exist for fault tests, demos and
 * the README's sample transcript; they are read per call so a test can change
 * them between turns.
 */
export function selectProvider(env: NodeJS.ProcessEnv = process.env): AiProvider {
  if (providerName(env) === "claude") {
    if (env !== process.env) return claudeProvider(loadClaudeConfig(env));
    return (processClaude ??= claudeProvider(loadClaudeConfig(env)));
  }
  const number = (name: string) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got "${raw}"`);
    return value;
  };
  const today = env.OFFLINE_COACH_TODAY || undefined;
  if (today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(today)) throw new Error(`OFFLINE_COACH_TODAY must be YYYY-MM-DD, got "${today}"`);
  return offlineCoach({ delayMs: number("OFFLINE_COACH_DELAY_MS"), failAfterDeltas: number("OFFLINE_COACH_FAIL_AFTER"), today });
}
