import type { Template } from "../template/schema";
import type { Answer } from "./answers";

/** Shown in the document for an optional question left unanswered. */
export const NOT_ANSWERED = "—";

/**
 * The document a finished questionnaire writes, offline: the template's body
 * with each `{{questionId}}` replaced by its answer. Answers are the user's
 * text: Markdown characters in them are escaped, so an answer cannot add
 * headings, links or table cells to the document.
 */
export function renderDocument(template: Template, answers: Readonly<Record<string, Answer>>): { title: string; markdown: string } {
  const body = template.document.body.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (_, id: string) =>
    Object.hasOwn(answers, id) ? escapeMarkdown(String(answers[id])) : NOT_ANSWERED,
  );
  return { title: template.document.title, markdown: body };
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]|<>#])/g, "\\$1").replace(/\r?\n/g, " ");
}
