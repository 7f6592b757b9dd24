import * as z from "zod";
import type { FlowEffect, FlowTool, FlowToolCall, FlowToolOutcome, FlowTurn } from "../flow/plugin";
import { toolInputSchema } from "../flow/tool-input-schema";
import { invalidInput } from "../util/invalid-input";
import { parseAnswer } from "./answers";
import { renderDocument } from "./document";
import { questionnaire } from "./flow";
import { currentQuestion, findQuestion, goBackTo, progressOf, questionNamed, recordAnswer, skipQuestion, templateOf, viewOf, type QuestionnaireState } from "./state";

export const RECORD_ANSWER = "record_answer";
export const SKIP_QUESTION = "skip_question";
export const GO_BACK = "go_back";

const RecordAnswer = z.object({
  questionId: z.string().describe("The id of the question answered"),
  answer: z.string().max(5000).describe("The answer in the question's kind: text as said; a number in digits; a date as YYYY-MM-DD; an email address; one of the options exactly"),
});
const QuestionRef = z.object({ questionId: z.string().describe("The id of the question") });

const tools: readonly FlowTool[] = [
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
];

/** The effects of the state a tool left: the next question, or the finished document. */
function effectsOf(before: QuestionnaireState, after: QuestionnaireState, error?: string): FlowEffect[] {
  const next = currentQuestion(after);
  if (next) return [{ type: "next_question", question: viewOf(next), progress: progressOf(after), ...(error ? { error } : {}) }];
  if (!after.complete) return [];
  const template = templateOf(after);
  return [
    ...(before.complete ? [] : [{ type: "phase_transition" as const, from: questionnaire.phaseOf(before), to: questionnaire.phaseOf(after), by: "rule" as const, reason: "Every required question is answered" }]),
    { type: "document_ready", ...renderDocument(template, after.answers), templateId: template.id, templateVersion: template.version },
  ];
}

/** A refused answer or skip: nothing changes, the question is asked again with why. */
function refused(state: QuestionnaireState, error: string): FlowToolOutcome<QuestionnaireState> {
  return { state, result: `Not stored: ${error}. Ask the question again.`, effects: effectsOf(state, state, error) };
}

export function applyTool(state: QuestionnaireState, call: FlowToolCall): FlowToolOutcome<QuestionnaireState> {
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
  const result = upcoming ? `Stored. Ask next: ${upcoming.id}: ${upcoming.text}` : next.complete ? "Stored. Every required question is answered: the document is written." : "Stored.";
  return { state: next, result, effects: effectsOf(state, next) };
}

/** How the stand-in (and a model, as a default) asks a question. */
export function askText(question: NonNullable<ReturnType<typeof currentQuestion>>): string {
  const options = question.options ? ` (${question.options.map((option, i) => `${i + 1}. ${option}`).join(", ")})` : "";
  const optional = question.required ? "" : " You can say “skip”.";
  return `${question.text}${options}${optional}`;
}

export const COMPLETE_TEXT = "Thank you — that's every question. Your document is ready.";

/**
 * Offline: the answer taken literally (the current question's), "skip", or
 * "go back to <question>" (its id, number or words of its text). It writes
 * what comes next: the next question, the same one again with why, or that
 * the document is ready.
 */
function standIn(state: QuestionnaireState) {
  return (conversation: { messages: readonly { role: string; content: string }[] }) => {
    const said = ([...conversation.messages].reverse().find((m) => m.role === "user")?.content ?? "").trim();
    const current = currentQuestion(state);
    let call: FlowToolCall | undefined;
    // An answer that is one of a choice's options is the answer, even one that reads like a command ("Back office").
    const chosen = current?.kind === "choice" && parseAnswer(current, said).ok;
    const back = chosen ? null : /^(?:go\s+back|back)(?:\s+to\b\s*(.*?))?[.!]?$/i.exec(said);
    if (back) {
      const target = back[1] ? findQuestion(state, back[1]) : previousQuestion(state);
      if (target) call = { name: GO_BACK, input: { questionId: target.id } };
    } else if (current && !chosen && /^skip(?:\s+(?:it|this|this one|please))?[.!]?$/i.test(said)) {
      call = { name: SKIP_QUESTION, input: { questionId: current.id } };
    } else if (current) {
      call = { name: RECORD_ANSWER, input: { questionId: current.id, answer: said } };
    }
    if (!call) {
      const text = current ? `I did not find that question. ${askText(current)}` : COMPLETE_TEXT;
      return { text, toolCalls: [] };
    }
    const outcome = applyTool(state, call);
    const asked = outcome.effects.find((effect) => effect.type === "next_question");
    const next = currentQuestion(outcome.state);
    const text = asked && next ? `${asked.error ? `${asked.error}. ` : ""}${askText(next)}` : COMPLETE_TEXT;
    return { text, toolCalls: [call] };
  };
}

function previousQuestion(state: QuestionnaireState) {
  const questions = templateOf(state).questions;
  const index = state.current === null ? questions.length : questions.findIndex((q) => q.id === state.current);
  return questions[Math.max(0, index - 1)];
}

function instructions(state: QuestionnaireState): { stable: string; dynamic: string } {
  const template = templateOf(state);
  const current = currentQuestion(state);
  const lines = template.questions.map((q, i) => {
    const status = Object.hasOwn(state.answers, q.id) ? `answered: ${JSON.stringify(state.answers[q.id])}` : state.skipped.includes(q.id) ? "skipped" : "open";
    return `${i + 1}. [${q.id}] (${q.kind}${q.required ? ", required" : ", optional"}${q.options ? `; options: ${q.options.join(" | ")}` : ""}) ${q.text} — ${status}`;
  });
  return {
    stable: [
      "You run a questionnaire: ask one question at a time, in the template's order, and store every answer with the record_answer tool before you move on.",
      "Read the answer from what the user writes and hand it to record_answer in the question's kind (a date as YYYY-MM-DD, a number in digits, a choice as one of its options exactly). If the tool refuses it, say why in a sentence and ask again.",
      "If an answer is too vague to store, ask one short follow-up question about it; after that, store what you have.",
      "The user may say skip (optional questions only: skip_question) or ask to go back to a question (go_back).",
      "You may rephrase a question for the context, but never change what it asks. Write only the next question (and, at most, a short acknowledgement); when the tool says the document is written, say the document is ready.",
    ].join("\n"),
    dynamic: [`Template: ${template.title} (v${template.version})`, ...lines, current ? `Ask now: [${current.id}] ${current.text}` : "Every question is done."].join("\n"),
  };
}

/** The questionnaire flow in a turn: its tools, its prompt, and its literal offline reading. */
export const turn: FlowTurn<QuestionnaireState> = {
  flow: questionnaire,
  instructions,
  tools,
  applyTool,
  standIn,
};
