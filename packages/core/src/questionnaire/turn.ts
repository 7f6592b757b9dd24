import type { FlowTurn } from "../flow/plugin";
import { aiServiceFor } from "./ai-service";
import { questionnaire } from "./flow";
import { standIn } from "./literal";
import { allAnswered, currentQuestion, templateOf, type QuestionnaireState } from "./state";
import { applyTool, documentBrief, finish, tools } from "./tools";

export { applyTool, GO_BACK, RECORD_ANSWER, SKIP_QUESTION, WRITE_DOCUMENT } from "./tools";
export { COMPLETE_TEXT } from "./literal";

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
      "You may rephrase a question for the context, but never change what it asks. Write only the next question (and, at most, a short acknowledgement).",
      "When every required question is answered, write the document with write_document: the template's document, its placeholders filled from the stored answers (never from anything else), in clear prose where the template leaves room; then say the document is ready.",
    ].join("\n"),
    dynamic: [
      `Template: ${template.title} (v${template.version})`,
      ...lines,
      current
        ? `Ask now: [${current.id}] ${current.text}`
        : allAnswered(state) && !state.complete
          ? `Every question is done: write the document now with write_document. ${documentBrief(template)}`
          : "Every question is done and the document is written.",
    ].join("\n"),
  };
}

/** The questionnaire flow in a turn: its tools, its prompt, and its literal offline reading. */
export const turn: FlowTurn<QuestionnaireState> = {
  flow: questionnaire,
  instructions,
  tools,
  applyTool,
  standIn,
  finish,
  provider: aiServiceFor,
};
