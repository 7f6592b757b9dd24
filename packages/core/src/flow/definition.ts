/** Type names the OKR modules still import from here; the plug-in interface itself is in ./plugin. */
import type { FlowEffect, FlowTool, FlowToolCall } from "./plugin";

export type { FlowEffect, FlowTool, FlowToolCall };

export interface FlowToolOutcome<State, Effect = FlowEffect> {
  state: State;
  result: string;
  effects: Effect[];
}

export interface OfflineContext {
  /** Today as YYYY-MM-DD, to turn "by June 30" or "end of the quarter" into dates; without it only explicit dates resolve. */
  today?: string;
}

export interface OfflineReply {
  text: string;
  toolCalls: FlowToolCall[];
}
