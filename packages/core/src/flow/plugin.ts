import type * as z from "../zod";
import type { AiProvider, Effort, ProviderTool } from "../ai/provider";
import type { Responder } from "../ai/stand-in";

/**
 * A flow plug-in: what a session runs. Core knows only this interface; each
 * flow is a folder that implements it, and a registry names the flows. The
 * plug-in comes in two parts so a handler's bundle holds only what it can
 * run: `Flow` (phases, state, transitions, export) is what session-side use
 * cases need; `FlowTurn` (instructions, tools, a stand-in for the model) is
 * what only the turn needs. Every function is pure; callers persist `State`.
 */
export interface Flow<State = unknown> {
  readonly name: string;
  readonly phases: readonly string[];
  readonly initialPhase: string;
  /** Parses stored state (read back from the table). */
  readonly stateSchema: z.ZodMiniType<State>;
  initialState(): State;
  phaseOf(state: State): string;
  /** A forced phase change: allowed (`phase_transition` effects) or refused (`transition_rejected`, with why). */
  onTransitionRequest(state: State, to: string, by: "user" | "assistant"): { state: State; effects: FlowEffect[] };
  /**
   * How many connections of its user a session keeps: `multi_device` (the
   * default) every one that joins; `last_wins` only the newest — the one it
   * replaces is told (`session_error replaced`) and closed.
   */
  readonly connectionPolicy?: ConnectionPolicy;
  /** What a session export carries besides the transcript (the OKR flow: the OKR set), under `key`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly exported?: FlowExport<State, any>;
}

export type ConnectionPolicy = "last_wins" | "multi_device";

export interface FlowExport<State, Data = unknown> {
  readonly key: string;
  data(state: State, transitions: readonly PhaseTransition[]): Data;
  /** The same, as Markdown lines of the transcript export. */
  markdown(data: Data): string[];
}

export interface FlowTurn<State = unknown> {
  readonly flow: Flow<State>;
  /** How much the model puts into a reply of this flow; unset: the deployment's default. */
  readonly effort?: Effort;
  /** The system prompt: `stable` is the same for every turn of a phase (cacheable), `dynamic` carries the state. */
  instructions(state: State): { stable: string; dynamic: string };
  readonly tools: readonly FlowTool[];
  /** Runs one tool call; throws a VisibleError (kind "invalid") when the input is invalid, leaving `state` as it was. */
  applyTool(state: State, call: FlowToolCall): FlowToolOutcome<State>;
  /**
   * A deterministic stand-in for the model, for the offline provider: it
   * sees the conversation as the model would and answers through the same
   * tools. Without one the offline provider echoes.
   */
  standIn?(state: State): Responder;
  /**
   * A tool call the turn makes itself once the provider is done, when the
   * state still needs it (the questionnaire's document, when the model
   * answered the last question but did not write it): so a turn never ends
   * half-way through what the flow promised.
   */
  finish?(state: State): FlowToolCall | undefined;
  /**
   * A provider of the flow's own that answers this session instead of the
   * deployment's (the questionnaire's external AI service, when one is
   * configured); undefined: the deployment's.
   */
  provider?(session: { id: string }, state: State): AiProvider | undefined;
}

/**
 * The effects every flow speaks. A question-by-question flow also asks its
 * next question (`next_question`, with why the last answer was refused, if
 * it was) and, when it is done, hands over the document it wrote
 * (`document_ready`): the turn stores the document and tells the session.
 */
export type FlowEffect =
  | { type: "phase_transition"; from: string; to: string; by: "user" | "assistant" | "rule"; reason: string }
  | { type: "transition_rejected"; to: string; reason: string }
  | { type: "next_question"; question: FlowQuestion; progress: { answered: number; total: number }; error?: string }
  | { type: "document_ready"; title: string; markdown: string; templateId?: string; templateVersion?: number };

/** A question as clients are shown it (`next_question`). */
export interface FlowQuestion {
  id: string;
  text: string;
  kind: "text" | "number" | "date" | "choice" | "email";
  required: boolean;
  options?: string[];
  help?: string;
}

export type PhaseTransitionEffect = Extract<FlowEffect, { type: "phase_transition" }>;

export interface PhaseTransition {
  from: string;
  to: string;
  by: string;
  reason: string;
  at: string;
}

export interface FlowTool {
  name: string;
  description: string;
  schema: z.ZodMiniType;
  /** JSON Schema of the input, from `schema` (for Claude's `input_schema`). */
  inputSchema: Record<string, unknown>;
}

export interface FlowToolCall {
  name: string;
  input: unknown;
}

export interface FlowToolOutcome<State, Effect extends FlowEffect = FlowEffect> {
  state: State;
  /** What the model reads back as the tool result. */
  result: string;
  effects: Effect[];
}

/** The registries' view of a plug-in: its state is opaque until parsed with its own schema. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFlow = Flow<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFlowTurn = FlowTurn<any>;

/**
 * The turn side of each flow, by name, each loaded on first use: a function
 * that runs turns parses and builds only the flows its sessions run (in a
 * split bundle each is a chunk of its own).
 */
export type FlowTurnLoaders = Readonly<Record<string, () => Promise<AnyFlowTurn>>>;

/** The tools of a flow in the shape the provider port takes. */
export function providerTools(turn: { tools: readonly FlowTool[] }): ProviderTool[] {
  return turn.tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema }));
}

/** Looks a flow up by the name a session stored; an unknown one is a bug or a removed flow, never the user's input. */
export function flowNamed<T>(registry: Readonly<Record<string, T>>, name: string): T {
  const found = Object.hasOwn(registry, name) ? registry[name] : undefined;
  if (!found) throw new Error(`No flow named "${name}" is registered`);
  return found;
}

/** Loads the turn side of the flow a session stored; an unknown name fails as in `flowNamed`. */
export async function loadFlowTurn(loaders: FlowTurnLoaders, name: string): Promise<AnyFlowTurn> {
  return flowNamed(loaders, name)();
}
