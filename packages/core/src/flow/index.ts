/** The flow plug-in interface, the flow state each session keeps, and forcing a phase. Core imports no flow. */
export { flowNamed, providerTools } from "./plugin";
export type { AnyFlow, AnyFlowTurn, Flow, FlowEffect, FlowExport, FlowTool, FlowToolCall, FlowToolOutcome, FlowTurn, PhaseTransition, PhaseTransitionEffect } from "./plugin";
export { initialStateWrite, legacyFlowState, listTransitions, loadFlowState, saveFlowState, stateFromItem } from "./state";
export type { VersionedState } from "./state";
export { transition, TransitionInput } from "./transition";
