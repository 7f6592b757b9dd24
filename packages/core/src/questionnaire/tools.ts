import * as z from "../zod";
import type { FlowEffect, FlowTool, FlowToolCall, FlowToolOutcome } from "../flow/plugin";
import { toolInputSchema } from "../flow/tool-input-schema";
import { Markdown, Title } from "../document/document";
import { invalidInput } from "../util/invalid-input";
import { parseAnswer } from "./answers";
import { NOT_ANSWERED, renderDocument } from "./document";
import { questionnaire } from "./flow";
import { allAnswered, currentQuestion, goBackTo, progressOf, questionNamed, recordAnswer, skipQuestion, templateOf, viewOf, type QuestionnaireState } from "./state";

export const RECORD_ANSWER = "record_answer";
export const SKIP_QUESTION = "skip_question";
export const GO_BACK = "go_back";
export const WRITE_DOCUMENT = "write_document";

const RecordAnswer = z.object({
  questionId: z.string().check(z.describe("The id of the question answered")),
  answer: z
    .string()
    .check(z.maxLength(5000), z.describe("The answer in the question's kind: text as said; a number in digits; a date as YYYY-MM-DD; an email address; one of the options exactly")),
});
const QuestionRef = z.object({ questionId: z.string().check(z.describe("The id of the question")) });
/** A document as the document store takes it (its limits stated there once). */
const WriteDocument = z.object({
  title: z.optional(Title).check(z.describe("The document's title; the template's when left out")),
  markdown: Markdown.check(
    z.refine((markdown) => markdown.trim() !== "", "the document is empty"),
    z.describe("The whole document in Markdown, written from the template's document and the stored answers"),
  ),
});

export const tools: readonly FlowTool[] = [
  {
    name: RECORD_ANSWER,
    description: "Store the user's answer to a question, after reading it from what they wrote (e.g. 'we started on the 3rd of May' is 2026-05-03 for a date). It is validated against the question's kind; the result says whether it was stored and which question comes next.",
    schema: RecordAnswer,
    inputSchema: toolInputSchema(RecordAnswer),
  },
  {
    name: SKIP_QUESTION,
    description: "Skip an optional question the user does not want to answer. Required questions cannot be skipped.",
    schema: QuestionRef,
    inputSchema: toolInputSchema(QuestionRef),
  },
  {
    name: GO_BACK,
    description: "Ask a question again because the user wants to change its answer ('go back to the start date').",
    schema: QuestionRef,
    inputSchema: toolInputSchema(QuestionRef),
  },
  {
    name: WRITE_DOCUMENT,
    description: "Write the finished document, once every required question is answered: the template's document with its placeholders filled from the stored answers. It completes the questionnaire.",
    schema: WriteDocument,
    inputSchema: toolInputSchema(WriteDocument),
  },
];

/** The effects of the state an answer, skip or go-back left: the next question (with why, when refused), or nothing once all is answered. */
function effectsOf(state: QuestionnaireState, error?: string): FlowEffect[] {
  const next = currentQuestion(state);
  return next ? [{ type: "next_question", question: viewOf(next), progress: progressOf(state), ...(error ? { error } : {}) }] : [];
}

/** The document written: the questionnaire is complete, and the turn stores the document. */
function written(state: QuestionnaireState, document: { title: string; markdown: string }): FlowToolOutcome<QuestionnaireState> {
  const template = templateOf(state);
  const next = { ...state, complete: true };
  return {
    state: next,
    result: "The document is written and stored; tell the user it is ready.",
    effects: [
      { type: "phase_transition", from: questionnaire.phaseOf(state), to: questionnaire.phaseOf(next), by: "rule", reason: "Every required question is answered and the document is written" },
      { type: "document_ready", ...document, templateId: template.id, templateVersion: template.version },
    ],
  };
}

/** A refused answer or skip: nothing changes, the question is asked again with why. */
function refused(state: QuestionnaireState, error: string): FlowToolOutcome<QuestionnaireState> {
  return { state, result: `Not stored: ${error}. Ask the question again.`, effects: effectsOf(state, error) };
}

export function applyTool(state: QuestionnaireState, call: FlowToolCall): FlowToolOutcome<QuestionnaireState> {
  if (call.name === WRITE_DOCUMENT) return writeDocument(state, call.input);
  const input = (call.name === RECORD_ANSWER ? RecordAnswer : QuestionRef).safeParse(call.input);
  if (!input.success) throw invalidInput(input.error);
  const question = questionNamed(state, input.data.questionId);
  if (!question) return refused(state, `there is no question "${input.data.questionId}"`);
  let next: QuestionnaireState;
  switch (call.name) {
    case RECORD_ANSWER: {
      const parsed = parseAnswer(question, (input.data as z.infer<typeof RecordAnswer>).answer);
      if (!parsed.ok) return refused(goBackTo(state, question.id), parsed.error);
      next = recordAnswer(state, question.id, parsed.value);
      break;
    }
    case SKIP_QUESTION:
      if (question.required) return refused(goBackTo(state, question.id), "This question is required and cannot be skipped");
      next = skipQuestion(state, question.id);
      break;
    case GO_BACK:
      next = goBackTo(state, question.id);
      break;
    default:
      throw new Error(`The questionnaire flow has no tool ${call.name}`);
  }
  const upcoming = currentQuestion(next);
  const result = upcoming
    ? `Stored. Ask next: ${upcoming.id}: ${upcoming.text}`
    : allAnswered(next) && !next.complete
      ? `Stored. Every required question is answered: write the document now with write_document. ${documentBrief(templateOf(next))}`
      : "Stored.";
  return { state: next, result, effects: effectsOf(next) };
}

/** What the model writes the document from: the template's document, and how to fill it. */
export function documentBrief(template: ReturnType<typeof templateOf>): string {
  return `Fill each {{questionId}} of the template's document with its stored answer ("${NOT_ANSWERED}" for one not answered) and keep its headings, lists and tables:\nTitle: ${template.document.title}\n${template.document.body}`;
}

/** The model's document (or the template's, rendered): accepted only once every required question is answered. */
function writeDocument(state: QuestionnaireState, raw: unknown): FlowToolOutcome<QuestionnaireState> {
  const input = WriteDocument.safeParse(raw);
  if (!input.success) throw invalidInput(input.error);
  if (state.complete) return { state, result: "The document is already written.", effects: [] };
  if (!allAnswered(state)) {
    const open = currentQuestion(state);
    return refused(state, `Not every required question is answered yet${open ? `: ask ${open.id}` : ""}`);
  }
  return written(state, { title: input.data.title ?? templateOf(state).document.title, markdown: input.data.markdown });
}

/** The document from the template, answers filled in: the offline reading's, and the turn's when a model did not write one. */
function renderedDocumentCall(state: QuestionnaireState): FlowToolCall {
  return { name: WRITE_DOCUMENT, input: renderDocument(templateOf(state), state.answers) };
}

/** Once every required answer is in and the provider is done: write the document from the template if nobody did. */
export function finish(state: QuestionnaireState): FlowToolCall | undefined {
  return allAnswered(state) && !state.complete ? renderedDocumentCall(state) : undefined;
}

