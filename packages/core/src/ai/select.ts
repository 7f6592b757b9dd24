import { config, loadSection, type Env } from "../config";
import { claudeProvider } from "./claude";
import { claudeConfig, claudeSettingsOf, loadClaudeConfig } from "./claude-config";
import { offlineCoach } from "./offline-coach";
import type { AiProvider } from "./provider";

/**
 * Provider selection: Claude when ANTHROPIC_API_KEY is set, otherwise the
 * offline coach. Without an `env` argument each function answers for this
 * process (`config()`); with one, for that environment (tests, start-up checks).
 */
export type ProviderName = "claude" | "offline-coach";

const claudeSettings = (env?: Env) => (env === undefined ? config().claude : claudeSettingsOf(env));

export function providerName(env?: Env): ProviderName {
  return claudeSettings(env) ? "claude" : "offline-coach";
}

/** One line for start-up logs, e.g. `Claude (claude-sonnet-5-5)` or `offline coach (no ANTHROPIC_API_KEY)`. Throws on a bad ANTHROPIC_* setting. */
export function describeProvider(env?: Env): string {
  if (providerName(env) === "offline-coach") return "offline coach (no ANTHROPIC_API_KEY)";
  const settings = env === undefined ? claudeConfig() : loadClaudeConfig(env);
  return `Claude (${settings.model}${settings.baseURL ? ` via ${settings.baseURL}` : ""})`;
}

let processClaude: AiProvider | undefined;

/**
 * The provider. The process's Claude provider (and its SDK client) is made
 * once; a bad ANTHROPIC_* setting throws a ClaudeConfigError. The offline
 * coach's knobs (OFFLINE_COACH_DELAY_MS, OFFLINE_COACH_FAIL_AFTER, and
 * OFFLINE_COACH_TODAY for reproducible dates) are read once with the rest of
 * the configuration; a test that needs other knobs for one turn builds
 * `offlineCoach(options)` itself.
 */
export function selectProvider(env?: Env): AiProvider {
  if (providerName(env) === "claude") {
    if (env !== undefined) return claudeProvider(loadClaudeConfig(env));
    return (processClaude ??= claudeProvider(claudeConfig()));
  }
  return offlineCoach(env === undefined ? config().offlineCoach : loadSection("offlineCoach", env));
}
