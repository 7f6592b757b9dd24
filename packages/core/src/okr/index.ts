/**
 * OKR: the guided coaching flow (discovery → refinement → kr_discovery →
 * validation → complete), its draft, the quality rubric, the prompts and
 * tools for Claude and the offline coach. Pure: no I/O, no clock.
 * Handlers import it as a namespace: `import * as Okr from "@coach/core/okr"`.
 */
export { Phase, phases, phaseInfo, initialPhase, nextPhase, isPhase } from "./phases";
export type { PhaseInfo } from "./phases";
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
} from "./draft";
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
} from "./rubric";
export type { Criterion, Reason, ReasonCode, ItemScore, DraftScore } from "./rubric";
export { OkrState, initialState, reduce, advance, canTransition, exitReason } from "./flow";
export type { OkrEvent, OkrEffect, OkrStep, TransitionActor, TransitionVerdict } from "./flow";
export { providerTools } from "../flow/definition";
export type { FlowDefinition, FlowEffect, FlowTool, FlowToolCall, FlowToolOutcome, OfflineContext, OfflineReply } from "../flow/definition";
export { okrTools, applyTool, toolInputSchema, ProposeTransition, UPDATE_DRAFT, PROPOSE_TRANSITION } from "./tools";
export { systemPrompt, stablePrompt, dynamicPrompt, describeScore, draftSummary } from "./prompts";
export { offlineReply } from "./coach";
export { extractObjective, extractKeyResults, extractValues, findNumbers } from "./extract";
export { findTimeframe, resolveDueDate } from "./timeframe";
export { okrFlow } from "./okr-flow";
export { sampleUserMessages, sampleToday, simulateConversation, transcriptMarkdown } from "./sample-conversation";
export type { SampleTurn } from "./sample-conversation";
