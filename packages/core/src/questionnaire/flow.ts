import type { Flow } from "../flow/plugin";
import { progressOf, QuestionnaireState, templateOf } from "./state";
import { NOT_ANSWERED } from "./document";

export const ANSWERING = "answering";
export const COMPLETE = "complete";

/**
 * A guided questionnaire: one question at a time from a template, each
 * answer validated by its kind, until every required one is in; then the
 * document. It moves on by its answers only: a forced phase is refused.
 */
export const questionnaire: Flow<QuestionnaireState> = {
  name: "questionnaire",
  phases: [ANSWERING, COMPLETE],
  initialPhase: ANSWERING,
  stateSchema: QuestionnaireState,
  initialState: () => ({ template: null, answers: {}, skipped: [], current: null, complete: false }),
  phaseOf: (state) => (state.complete ? COMPLETE : ANSWERING),
  // One person answers one questionnaire: a new tab or device takes over from the old one.
  connectionPolicy: "last_wins",
  onTransitionRequest: (state, to) => ({ state, effects: [{ type: "transition_rejected", to, reason: "A questionnaire moves on by its answers, not by a forced phase" }] }),
  exported: {
    key: "questionnaire",
    data: (state) => {
      const template = templateOf(state);
      return {
        templateId: template.id,
        templateVersion: template.version,
        progress: progressOf(state),
        answers: template.questions.map((q) => ({ id: q.id, question: q.text, answer: Object.hasOwn(state.answers, q.id) ? state.answers[q.id]! : null, skipped: state.skipped.includes(q.id) })),
      };
    },
    markdown: (data: { templateId: string; templateVersion: number; answers: { question: string; answer: string | number | null; skipped: boolean }[] }) => [
      `## Answers (template ${data.templateId} v${data.templateVersion})`,
      "",
      ...data.answers.map((a) => `- **${a.question}** ${a.answer === null ? (a.skipped ? "(skipped)" : NOT_ANSWERED) : String(a.answer)}`),
      "",
    ],
  },
};
