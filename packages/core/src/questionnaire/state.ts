import * as z from "../zod";
import { Template, type TemplateQuestion } from "../template/schema";
import type { FlowQuestion } from "../flow/plugin";
import type { Answer } from "./answers";

/**
 * Where a questionnaire stands: the template it pinned (a copy of that
 * version, so a turn needs no second read and an edited template never
 * changes it), the validated answers, the optional questions skipped, and
 * the question being asked. Every required question answered, the
 * document is written (by the model, or rendered from the template); the
 * questionnaire is complete once it is.
 */
export const QuestionnaireState = z.object({
  /** Null only in the flow's placeholder state: a questionnaire is always created from a template. */
  template: z.nullable(Template),
  answers: z.record(z.string(), z.union([z.string(), z.number()])),
  skipped: z.array(z.string()),
  /** The question asked now; null when none is left. */
  current: z.nullable(z.string()),
  /** The document is written: the questionnaire is done. */
  complete: z.boolean(),
});
export type QuestionnaireState = z.infer<typeof QuestionnaireState>;

/** What a client is shown of a question (`next_question`): the flow plug-in's question, stated there once. */
export type QuestionView = FlowQuestion;

export interface Progress {
  answered: number;
  total: number;
}

export function startQuestionnaire(template: Template): QuestionnaireState {
  const first = template.questions[0]!;
  return { template, answers: {}, skipped: [], current: first.id, complete: false };
}

export function templateOf(state: QuestionnaireState): Template {
  if (!state.template) throw new Error("A questionnaire session without its template");
  return state.template;
}

export function questionNamed(state: QuestionnaireState, id: string): TemplateQuestion | undefined {
  return templateOf(state).questions.find((question) => question.id === id);
}

export function currentQuestion(state: QuestionnaireState): TemplateQuestion | undefined {
  return state.current === null ? undefined : questionNamed(state, state.current);
}

export const viewOf = (question: TemplateQuestion): QuestionView => ({
  id: question.id,
  text: question.text,
  kind: question.kind,
  required: question.required,
  ...(question.options ? { options: question.options } : {}),
  ...(question.help ? { help: question.help } : {}),
});

/** Answered or skipped questions count as done, out of all questions. */
export function progressOf(state: QuestionnaireState): Progress {
  const questions = templateOf(state).questions;
  return { answered: questions.filter((q) => Object.hasOwn(state.answers, q.id) || state.skipped.includes(q.id)).length, total: questions.length };
}

/** The first question after `from` in template order with neither an answer nor a skip, else the first such from the start; null when none is left. */
function nextOpen(state: QuestionnaireState, from: string | null): string | null {
  const questions = templateOf(state).questions;
  const open = (q: TemplateQuestion) => !Object.hasOwn(state.answers, q.id) && !state.skipped.includes(q.id);
  const start = from === null ? 0 : questions.findIndex((q) => q.id === from) + 1;
  return (questions.slice(start).find(open) ?? questions.find(open))?.id ?? null;
}

function settle(state: QuestionnaireState, after: string | null): QuestionnaireState {
  return { ...state, current: nextOpen(state, after) };
}

/** Nothing left to ask and every required question answered: the document can be written. */
export function allAnswered(state: QuestionnaireState): boolean {
  return state.current === null && templateOf(state).questions.every((q) => !q.required || Object.hasOwn(state.answers, q.id));
}

export function recordAnswer(state: QuestionnaireState, questionId: string, value: Answer): QuestionnaireState {
  const skipped = state.skipped.filter((id) => id !== questionId);
  return settle({ ...state, answers: { ...state.answers, [questionId]: value }, skipped }, questionId);
}

export function skipQuestion(state: QuestionnaireState, questionId: string): QuestionnaireState {
  const answers = { ...state.answers };
  delete answers[questionId];
  return settle({ ...state, answers, skipped: [...state.skipped.filter((id) => id !== questionId), questionId] }, questionId);
}

/** Asks `questionId` again; its answer stays until a new one replaces it. */
export function goBackTo(state: QuestionnaireState, questionId: string): QuestionnaireState {
  return { ...state, current: questionId, complete: false };
}

/** The question a "go back to …" names: its id, its number (1-based), or words of its text. */
export function findQuestion(state: QuestionnaireState, reference: string): TemplateQuestion | undefined {
  const questions = templateOf(state).questions;
  const wanted = reference.trim().toLowerCase().replace(/^(the\s+)?(question\s*)?/, "").replace(/[?.!]+$/, "");
  if (!wanted) return undefined;
  if (/^\d+$/.test(wanted)) return questions[Number(wanted) - 1];
  return questions.find((q) => q.id.toLowerCase() === wanted) ?? questions.find((q) => q.text.toLowerCase().includes(wanted));
}
