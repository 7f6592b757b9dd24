export * from "./provider";
export { offlineCoach, type OfflineCoachOptions } from "./offline-coach";
export { claudeProvider, MAX_ROUNDS } from "./claude";
export { claudeConfig, loadClaudeConfig, ClaudeConfigError, CLAUDE_DEFAULTS, DEFAULT_CLAUDE_MODEL, type ClaudeConfig } from "./claude-config";
export { toProviderError } from "./claude-errors";
export { selectProvider, providerName, describeProvider, type ProviderName } from "./select";
