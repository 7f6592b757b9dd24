/** Conversation flows: their definitions, the registry, and the versioned state each session keeps. */
export { flowRegistry, flowFor, flowNames, defaultFlow } from "./registry";
export type { AnyFlow, FlowName } from "./registry";
export { loadFlowState, saveFlowState, listTransitions } from "./state-store";
export type { VersionedState, PhaseTransition } from "./state-store";
export { providerTools } from "./definition";
export type { FlowDefinition, FlowEffect, FlowTool, FlowToolCall, FlowToolOutcome, OfflineContext, OfflineReply } from "./definition";
