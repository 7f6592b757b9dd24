import type { FlowEffect, FlowToolCall } from "../flow/plugin";
import { parseAnswer } from "./answers";
import { currentQuestion, findQuestion, templateOf, type QuestionnaireState } from "./state";
import { applyTool, finish, GO_BACK, RECORD_ANSWER, SKIP_QUESTION } from "./tools";

/** How the stand-in (and a model, as a default) asks a question. */
export function askText(question: NonNullable<ReturnType<typeof currentQuestion>>): string {
  const options = question.options ? ` (${question.options.map((option, i) => `${i + 1}. ${option}`).join(", ")})` : "";
  const optional = question.required ? "" : " You can say “skip”.";
  return `${question.text}${options}${optional}`;
}

export const COMPLETE_TEXT = "Thank you — that's every question. Your document is ready.";

/**
 * What a message means, taken literally: the answer to the question asked
 * now, "skip", or "go back to <question>" (its id, number or words of its
 * text) — and the document from the template once the last answer is in.
 * The tool calls it makes, and the state they would leave (nothing is
 * stored here: the turn applies the calls).
 */
export function readLiterally(state: QuestionnaireState, message: string): { toolCalls: FlowToolCall[]; after: QuestionnaireState; asked?: FlowEffect & { type: "next_question" } } {
  const said = message.trim();
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
  if (!call) return { toolCalls: [], after: state };
  const outcome = applyTool(state, call);
  const asked = outcome.effects.find((effect) => effect.type === "next_question");
  const closing = finish(outcome.state);
  const toolCalls = closing ? [call, closing] : [call];
  return { toolCalls, after: closing ? applyTool(outcome.state, closing).state : outcome.state, ...(asked ? { asked } : {}) };
}

/** What comes next, said: the question (after why the last answer was refused), or that the document is ready. */
export function nextText(after: QuestionnaireState, asked?: { error?: string }, question = currentQuestion(after)): string {
  if (!question) return COMPLETE_TEXT;
  return `${asked?.error ? `${asked.error}. ` : ""}${askText(question)}`;
}

/** Offline: the literal reading, and what comes next said plainly. */
export function standIn(state: QuestionnaireState) {
  return (conversation: { messages: readonly { role: string; content: string }[] }) => {
    const said = [...conversation.messages].reverse().find((m) => m.role === "user")?.content ?? "";
    const reading = readLiterally(state, said);
    const current = currentQuestion(state);
    if (reading.toolCalls.length === 0) return { text: current ? `I did not find that question. ${askText(current)}` : COMPLETE_TEXT, toolCalls: [] };
    return { text: nextText(reading.after, reading.asked), toolCalls: reading.toolCalls };
  };
}

function previousQuestion(state: QuestionnaireState) {
  const questions = templateOf(state).questions;
  const index = state.current === null ? questions.length : questions.findIndex((q) => q.id === state.current);
  return questions[Math.max(0, index - 1)];
}

