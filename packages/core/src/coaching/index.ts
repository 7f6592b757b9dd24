import { z } from "zod";
import { SessionId } from "../conversation/session";
import { loadOwnedSession } from "../conversation/store";
import { VisibleError } from "../error";
import { flowFor, listTransitions, loadFlowState, saveFlowState, type FlowEffect, type PhaseTransition } from "../flow";
import * as Okr from "../okr";
import { fn } from "../util";

/**
 * Coaching: what a user does to a session's flow outside a turn — force a
 * phase, read the OKR set. Handlers import it as a namespace.
 */
export const TransitionInput = z.object({ sessionId: SessionId, to: z.string().min(1).max(64) });

type PhaseTransitionEffect = Extract<FlowEffect, { type: "phase_transition" }>;

/** Moves the session to another phase if its flow allows it; otherwise `phase.invalid_transition` (409). */
export const transition = fn(TransitionInput, async (input) => {
  const session = await loadOwnedSession(input.sessionId);
  const flow = flowFor(session.flow);
  const current = await loadFlowState(session);
  const step = flow.onTransitionRequest(current.state, input.to, "user");
  const rejected = step.effects.find((effect) => effect.type === "transition_rejected");
  if (rejected) {
    throw new VisibleError("conflict", "phase.invalid_transition", rejected.reason, { from: session.phase, to: input.to, phases: flow.phases });
  }
  await saveFlowState(session.id, current, step.state, step.effects);
  return {
    session: await loadOwnedSession(session.id),
    transitions: step.effects.filter((effect): effect is PhaseTransitionEffect => effect.type === "phase_transition"),
  };
});

export interface OkrSet {
  sessionId: string;
  phase: string;
  draft: Okr.OkrDraft;
  /** Bumped on every change of the draft. */
  draftVersion: number;
  /** The rubric's scores: the stored score, whoever wrote the draft. */
  scores: Okr.DraftScore;
  transitions: PhaseTransition[];
}

/** The session's current OKR draft, scored by the rubric, with its phase history. */
export const okrSet = fn(SessionId, async (sessionId): Promise<OkrSet> => {
  const session = await loadOwnedSession(sessionId);
  if (session.flow !== "okr") throw new VisibleError("not_found", "okr.not_found", "This session does not run the OKR flow");
  const { state } = await loadFlowState(session);
  const okr = Okr.OkrState.parse(state);
  return {
    sessionId,
    phase: okr.phase,
    draft: okr.draft,
    draftVersion: okr.draftVersion,
    scores: Okr.scoreDraft(okr.draft),
    transitions: await listTransitions(sessionId),
  };
});
