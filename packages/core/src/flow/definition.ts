import type { z } from "zod";
import type { Effort, ProviderMessage, ProviderTool } from "../ai/provider";

/**
 * A conversation flow the turn pipeline can run without knowing what it is
 * about: its phases, its prompt, the tools the model may call, how a tool
 * call or a forced transition changes the flow's state, and what the offline
 * coach says. Every function is pure; the caller persists `State`.
 */
export interface FlowDefinition<State, Effect = FlowEffect> {
  name: string;
  initialPhase: string;
  phases: readonly string[];
  /** Parses stored state (e.g. read back from the table). */
  stateSchema: z.ZodType<State>;
  initialState(): State;
  phaseOf(state: State): string;
  systemPrompt(state: State): { stable: string; dynamic: string };
  tools: readonly FlowTool[];
  /** How much the model puts into a reply of this flow; unset: the deployment's default (ANTHROPIC_EFFORT). */
  effort?: Effort;
  /** Runs one validated tool call; throws a VisibleError (kind "invalid") when the input is invalid, leaving `state` as it was. */
  applyTool(state: State, call: FlowToolCall): FlowToolOutcome<State, Effect>;
  onTransitionRequest(state: State, to: string, by: "user" | "assistant"): { state: State; effects: Effect[] };
  /** What the offline coach answers; `toolCalls` go through `applyTool` like a model's would. */
  offlineReply(state: State, userMessage: string, history: readonly ProviderMessage[], context?: OfflineContext): OfflineReply;
}

/** The effects every flow speaks; a flow may add its own. */
export type FlowEffect =
  | { type: "phase_transition"; from: string; to: string; by: "user" | "assistant" | "rule"; reason: string }
  | { type: "transition_rejected"; to: string; reason: string };

export interface FlowTool {
  name: string;
  description: string;
  schema: z.ZodType;
  /** JSON Schema of the input, from `schema` (for Claude's `input_schema`). */
  inputSchema: Record<string, unknown>;
}

export interface FlowToolCall {
  name: string;
  input: unknown;
}

export interface FlowToolOutcome<State, Effect> {
  state: State;
  /** What the model reads back as the tool result. */
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

/** The tools of a flow in the shape the provider port takes. */
export function providerTools(flow: { tools: readonly FlowTool[] }): ProviderTool[] {
  return flow.tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema }));
}
