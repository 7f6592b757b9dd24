import { offlineReply } from "./coach";
import type { FlowDefinition } from "../flow/definition";
import { OkrState, initialState, reduce, type OkrEffect } from "./flow";
import { initialPhase, phases } from "./phases";
import { systemPrompt } from "./prompts";
import { applyTool, okrTools } from "./tools";

/** The OKR coaching flow: discovery → refinement → kr_discovery → validation → complete. */
export const okrFlow: FlowDefinition<OkrState, OkrEffect> = {
  name: "okr",
  initialPhase,
  phases,
  stateSchema: OkrState,
  initialState,
  phaseOf: (state) => state.phase,
  systemPrompt,
  tools: okrTools,
  // Drafting and scoring key results through tools is worth more thought than a chat reply.
  effort: "medium",
  applyTool,
  onTransitionRequest: (state, to, by) => reduce(state, { type: "transition_requested", to, by }),
  offlineReply,
};
