/** The OKR flow's modules as one namespace for tests: the plug-in and its turn side, prompts and deterministic coach included. */
export * from "../../src/okr/index";
export { turn } from "../../src/okr/turn";
export { systemPrompt, stablePrompt, dynamicPrompt, describeScore, draftSummary } from "../../src/okr/prompts";
export { offlineReply } from "../../src/okr/offline/responder";
export { extractObjective, extractKeyResults, extractValues, findNumbers } from "../../src/okr/offline/extract";
export { findTimeframe, resolveDueDate } from "../../src/okr/machine/timeframe";
export { okrTools, applyTool, toolInputSchema, ProposeTransition, UPDATE_DRAFT, PROPOSE_TRANSITION } from "../../src/okr/tools";
export { sampleUserMessages, sampleToday, simulateConversation, transcriptMarkdown } from "./sample-conversation";
export type { SampleTurn } from "./sample-conversation";
export { providerTools } from "../../src/flow/plugin";

import { offlineReply as coachReply } from "../../src/okr/offline/responder";
import { okr } from "../../src/okr/flow";
import { turn as okrTurn } from "../../src/okr/turn";

/** Both halves of the OKR plug-in in one object, with the names these tests use for them. */
export const okrFlow = { ...okr, ...okrTurn, systemPrompt: okrTurn.instructions, offlineReply: coachReply };
