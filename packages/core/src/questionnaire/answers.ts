import * as z from "../zod";
import type { TemplateQuestion } from "../template/schema";

/** A stored answer: text, an ISO date (YYYY-MM-DD), an email, one of the options, or a number. */
export type Answer = string | number;

export type ParsedAnswer = { ok: true; value: Answer } | { ok: false; error: string };

const MAX_TEXT = 5000;
const email = z.email();
const months = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

/**
 * An answer as the question's kind takes it, literally: the offline
 * questionnaire's reading, and the check every answer passes before it is
 * stored, whoever extracted it (Claude hands its reading of free text
 * through here too). The error says what the kind expects.
 */
export function parseAnswer(question: TemplateQuestion, raw: string): ParsedAnswer {
  const text = raw.trim();
  if (!text) return { ok: false, error: "The answer is empty" };
  switch (question.kind) {
    case "text":
      return text.length <= MAX_TEXT ? { ok: true, value: text } : { ok: false, error: `An answer is at most ${MAX_TEXT} characters` };
    case "number": {
      // "12,000", "12 000" and "1.5" are numbers; "about twelve" is not one.
      const normalized = text.replace(/(?<=\d)[,\s_](?=\d{3}\b)/g, "");
      const value = /^[-+]?(\d+\.?\d*|\.\d+)$/.test(normalized) ? Number(normalized) : Number.NaN;
      return Number.isFinite(value) ? { ok: true, value } : { ok: false, error: "That is not a number: answer with digits, e.g. 12 or 3.5" };
    }
    case "date": {
      const value = parseDate(text);
      return value ? { ok: true, value } : { ok: false, error: "That is not a date: answer e.g. 2026-05-03 or 3 May 2026" };
    }
    case "email":
      return email.safeParse(text).success ? { ok: true, value: text } : { ok: false, error: "That is not an email address" };
    case "choice": {
      const options = question.options ?? [];
      const byNumber = /^\d+$/.test(text) ? options[Number(text) - 1] : undefined;
      const chosen = byNumber ?? options.find((option) => option.toLowerCase() === text.toLowerCase());
      return chosen ? { ok: true, value: chosen } : { ok: false, error: `Choose one of: ${options.join(", ")}` };
    }
  }
}

/** YYYY-MM-DD, "3 May 2026", "May 3, 2026" or "3rd of May 2026": the day as YYYY-MM-DD, if it exists. */
export function parseDate(text: string): string | undefined {
  const lower = text.toLowerCase().replace(/,/g, " ").replace(/\s+/g, " ").trim();
  let year: number | undefined;
  let month: number | undefined;
  let day: number | undefined;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(lower);
  if (iso) [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  const monthIndex = (name: string) => {
    const index = months.findIndex((m) => m === name || (name.length >= 3 && m.startsWith(name)));
    return index === -1 ? undefined : index + 1;
  };
  const dayFirst = /^(\d{1,2})(?:st|nd|rd|th)?(?: of)? ([a-z]+)\.? (\d{4})$/.exec(lower);
  if (dayFirst) [day, month, year] = [Number(dayFirst[1]), monthIndex(dayFirst[2]!), Number(dayFirst[3])];
  const monthFirst = /^([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)? (\d{4})$/.exec(lower);
  if (monthFirst) [month, day, year] = [monthIndex(monthFirst[1]!), Number(monthFirst[2]), Number(monthFirst[3])];
  if (!year || !month || !day) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return date.toISOString().slice(0, 10);
}
