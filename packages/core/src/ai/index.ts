export * from "./provider";
export { offlineCoach, type OfflineCoachOptions } from "./offline-coach";
export { claudeProvider, requestParams, MAX_ROUNDS } from "./claude";
export { claudeConfig, loadClaudeConfig, ClaudeConfigError, CLAUDE_DEFAULTS, DEFAULT_CLAUDE_MODEL, type ClaudeConfig } from "./claude-config";
export { MODEL_CAPABILITIES, STRICTEST_FAMILY, capabilitiesOf, knownCapabilities, effortFor, thinksByDefault, type ModelCapabilities, type ThinkingMode } from "./claude-models";
export { toProviderError } from "./claude-errors";
export { selectProvider, providerName, describeProvider, type ProviderName } from "./select";
export type { Responder, StandInConversation, StandInReply } from "./stand-in";
