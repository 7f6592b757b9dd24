import { config, ConfigError, loadSection, type ClaudeSettings, type Env } from "../config";

/**
 * Configuration of the Claude adapter: `config().claude`, read once per
 * process (`claudeConfig()`); `loadClaudeConfig(env)` reads a given
 * environment, for tests and for start-up validation.
 */
export { CLAUDE_DEFAULTS, DEFAULT_CLAUDE_MODEL } from "../config";

export type ClaudeConfig = ClaudeSettings;

/** A missing or malformed ANTHROPIC_* variable. The message names the variable, never the key. */
export class ClaudeConfigError extends ConfigError {
  override readonly name = "ClaudeConfigError";
}

const noKey = () => new ClaudeConfigError([{ variable: "ANTHROPIC_API_KEY", expected: "the Anthropic API key, for the Claude provider", missing: true }]);

/** The Claude settings of a given environment, undefined without ANTHROPIC_API_KEY. */
export function claudeSettingsOf(env: Env): ClaudeConfig | undefined {
  try {
    return loadSection("claude", env);
  } catch (error) {
    if (error instanceof ConfigError) throw new ClaudeConfigError(error.issues, { cause: error });
    throw error;
  }
}

export function loadClaudeConfig(env: Env = process.env): ClaudeConfig {
  const settings = claudeSettingsOf(env);
  if (!settings) throw noKey();
  return settings;
}

/** The process's Claude configuration. */
export function claudeConfig(): ClaudeConfig {
  const settings = config().claude;
  if (!settings) throw noKey();
  return settings;
}
