/**
 * OKR: the guided coaching flow (discovery → refinement → kr_discovery →
 * validation → complete) as a flow plug-in — its state machine, its draft
 * and the quality rubric, and the OKR read. What only a turn needs (prompts,
 * tools, the deterministic coach) is in ./turn, so a handler that does not
 * run turns does not carry it. Handlers import this as a namespace:
 * `import * as Okr from "@coach/core/okr"`.
 */
export { okr } from "./flow";
export { okrSet } from "./okr-set";
export type { OkrSet } from "./okr-set";
export type { OkrExport } from "./export";
export { Phase, phases, phaseInfo, initialPhase, nextPhase } from "./machine/phases";
export type { PhaseInfo } from "./machine/phases";
export {
  Objective,
  KeyResult,
  KeyResultId,
  KeyResultUpsert,
  OkrDraft,
  DraftUpdate,
  IsoDate,
  emptyDraft,
  applyDraftUpdate,
  sameDraft,
  MIN_KEY_RESULTS,
  MAX_KEY_RESULTS,
} from "./machine/draft";
export {
  RUBRIC_THRESHOLD,
  RUBRIC_ITEM_FLOOR,
  OBJECTIVE_WEIGHT,
  criteria,
  objectiveCriteria,
  keyResultCriteria,
  scoreObjective,
  scoreKeyResult,
  scoreDraft,
  weakestReasons,
  isMeasurable,
  isActivity,
  sameMetric,
} from "./machine/rubric";
export type { Criterion, Reason, ReasonCode, ItemScore, DraftScore } from "./machine/rubric";
export { OkrState, initialState, reduce, advance, canTransition, exitReason } from "./machine/machine";
export type { OkrEvent, OkrEffect, OkrStep, TransitionActor, TransitionVerdict } from "./machine/machine";
