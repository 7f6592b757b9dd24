import type { Flow } from "../flow/plugin";
import { okrExport } from "./export";
import { OkrState, initialState, reduce } from "./machine/machine";
import { initialPhase, phases } from "./machine/phases";

/**
 * The OKR coaching flow (discovery → refinement → kr_discovery → validation
 * → complete), session side: its state machine. What the turn adds (the
 * prompts, the tools, the deterministic coach) is in ./turn.
 */
export const okr: Flow<OkrState> = {
  name: "okr",
  initialPhase,
  phases,
  stateSchema: OkrState,
  initialState,
  phaseOf: (state) => state.phase,
  onTransitionRequest: (state, to, by) => reduce(state, { type: "transition_requested", to, by }),
  exported: okrExport,
};
