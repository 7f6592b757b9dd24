import * as z from "../../zod";
import { OkrDraft, emptyDraft, sameDraft } from "./draft";
import { Phase, initialPhase, nextPhase, phaseInfo, phases } from "./phases";
import { RUBRIC_THRESHOLD, isMeasurable, scoreDraft, scoreObjective } from "./rubric";

/** What a session of the OKR flow must persist between turns. */
export const OkrState = z.object({
  phase: Phase,
  draft: OkrDraft,
  /** Bumped on every change of the draft; each version is worth storing. */
  draftVersion: z.number().check(z.int(), z.nonnegative()),
});
export type OkrState = z.infer<typeof OkrState>;

export type TransitionActor = "user" | "assistant";

export type OkrEvent =
  | { type: "draft_updated"; draft: OkrDraft }
  | { type: "transition_requested"; to: string; by: TransitionActor; reason?: string };

export type OkrEffect =
  | { type: "phase_transition"; from: Phase; to: Phase; by: TransitionActor | "rule"; reason: string }
  | { type: "transition_rejected"; to: string; reason: string };

export interface OkrStep {
  state: OkrState;
  effects: OkrEffect[];
}

export function initialState(): OkrState {
  return { phase: initialPhase, draft: emptyDraft, draftVersion: 0 };
}

/**
 * The flow as a pure state machine. A draft update stores the draft (a new
 * version when it changed) and then moves forward through every phase whose
 * exit criterion holds, one transition each, in the order they happen; it
 * stops at a phase left on the person's confirmation (validation), which a
 * transition request then completes. A completed set that stops passing goes
 * back to validation. A transition request moves to the requested phase if
 * `canTransition` allows it.
 */
export function reduce(state: OkrState, event: OkrEvent): OkrStep {
  switch (event.type) {
    case "draft_updated": {
      const next = sameDraft(state.draft, event.draft) ? state : { ...state, draft: event.draft, draftVersion: state.draftVersion + 1 };
      if (next.phase === "complete" && !scoreDraft(next.draft).passes) {
        const reason = "The changed set no longer passes the rubric.";
        return { state: { ...next, phase: "validation" }, effects: [{ type: "phase_transition", from: "complete", to: "validation", by: "rule", reason }] };
      }
      return advance(next);
    }
    case "transition_requested": {
      const verdict = canTransition(state, event.to, event.by);
      if (!verdict.ok) return { state, effects: [{ type: "transition_rejected", to: event.to, reason: verdict.reason }] };
      const to = event.to as Phase;
      const reason = event.reason ?? (event.by === "user" ? "Requested by the user." : "Proposed by the coach.");
      return { state: { ...state, phase: to }, effects: [{ type: "phase_transition", from: state.phase, to, by: event.by, reason }] };
    }
  }
}

/** Why the current phase's exit criterion holds, or undefined while it does not. */
export function exitReason(state: Pick<OkrState, "phase" | "draft">): string | undefined {
  const { draft } = state;
  switch (state.phase) {
    case "discovery":
      return draft.objective ? "The draft has an objective." : undefined;
    case "refinement": {
      const score = scoreObjective(draft.objective).score;
      return score >= RUBRIC_THRESHOLD ? `The objective scores ${score}, at least ${RUBRIC_THRESHOLD}.` : undefined;
    }
    case "kr_discovery": {
      const measurable = draft.keyResults.filter(isMeasurable).length;
      return measurable >= 2 && measurable === draft.keyResults.length
        ? `The draft has ${measurable} key results, each with a metric and a numeric target.`
        : undefined;
    }
    case "validation": {
      const score = scoreDraft(draft);
      return score.passes ? `The set passes the rubric with ${score.overall}.` : undefined;
    }
    case "complete":
      return undefined;
  }
}

/** Moves forward while the current phase's exit criterion holds, up to a phase the person must confirm. */
export function advance(state: OkrState): OkrStep {
  const effects: OkrEffect[] = [];
  let current = state;
  for (let reason = exitReason(current); reason !== undefined && !phaseInfo[current.phase].leftOnConfirmation; reason = exitReason(current)) {
    const to = nextPhase(current.phase);
    if (!to) break;
    effects.push({ type: "phase_transition", from: current.phase, to, by: "rule", reason });
    current = { ...current, phase: to };
  }
  return { state: current, effects };
}

export type TransitionVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Whether a forced transition is allowed. Anyone may move to any other phase,
 * backwards included, except `complete`, which needs a set that passes the
 * rubric. The coach (`by: "assistant"`) may not skip a gate: it moves forward
 * only through phases whose exit criteria hold.
 */
export function canTransition(state: Pick<OkrState, "phase" | "draft">, to: string, by: TransitionActor = "user"): TransitionVerdict {
  const target = Phase.safeParse(to);
  if (!target.success) return { ok: false, reason: `"${to}" is not a phase; the phases are ${phases.join(", ")}.` };
  if (target.data === state.phase) return { ok: false, reason: `The session is already in ${to}.` };
  if (target.data === "complete") {
    const score = scoreDraft(state.draft);
    if (!score.passes) {
      const why = score.complete ? `it scores ${score.overall}, needs ${RUBRIC_THRESHOLD} with no item below 60` : "it needs an objective and 2–5 key results";
      return { ok: false, reason: `The OKR set does not pass the rubric yet: ${why}.` };
    }
  }
  if (by === "assistant" && phases.indexOf(target.data) > phases.indexOf(state.phase)) {
    for (let phase: Phase | undefined = state.phase; phase && phase !== target.data; phase = nextPhase(phase)) {
      if (exitReason({ phase, draft: state.draft }) === undefined) {
        return { ok: false, reason: `The ${phase} phase is not done yet: ${phaseGate(phase)}` };
      }
    }
  }
  return { ok: true };
}

const phaseGate = (phase: Phase) =>
  ({
    discovery: "the draft needs an objective.",
    refinement: `the objective must score at least ${RUBRIC_THRESHOLD}.`,
    kr_discovery: "the draft needs at least two key results, each with a metric and a numeric target.",
    validation: "the set must pass the rubric.",
    complete: "",
  })[phase];
