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

export function loadClaudeConfig(env: Env = process.env): ClaudeConfig {
  let settings: ClaudeSettings | undefined;
  try {
    settings = loadSection("claude", env);
  } catch (error) {
    if (error instanceof ConfigError) throw new ClaudeConfigError(error.issues, { cause: error });
    throw error;
  }
  if (!settings) throw noKey();
  return settings;
}

/** The process's Claude configuration. */
export function claudeConfig(): ClaudeConfig {
  const settings = config().claude;
  if (!settings) throw noKey();
  return settings;
}
