import { SessionId } from "../conversation/session";
import { loadOwnedSession } from "../conversation/store";
import { VisibleError } from "../error";
import { listTransitions, loadFlowState } from "../flow/state";
import type { PhaseTransition } from "../flow/plugin";
import { fn } from "../util";
import type { OkrDraft } from "./machine/draft";
import { OkrState } from "./machine/machine";
import { okr } from "./flow";
import { scoreDraft, type DraftScore } from "./machine/rubric";

export interface OkrSet {
  sessionId: string;
  phase: string;
  draft: OkrDraft;
  /** Bumped on every change of the draft. */
  draftVersion: number;
  /** The rubric's scores: the stored score, whoever wrote the draft. */
  scores: DraftScore;
  transitions: PhaseTransition[];
}

/** The session's current OKR draft, scored by the rubric, with its phase history. */
export const okrSet = fn(SessionId, async (sessionId): Promise<OkrSet> => {
  const session = await loadOwnedSession(sessionId);
  if (session.flow !== okr.name) throw new VisibleError("not_found", "okr.not_found", "This session does not run the OKR flow");
  const [{ state }, transitions] = await Promise.all([loadFlowState(sessionId, okr), listTransitions(sessionId)]);
  const current = OkrState.parse(state);
  return { sessionId, phase: current.phase, draft: current.draft, draftVersion: current.draftVersion, scores: scoreDraft(current.draft), transitions };
});
