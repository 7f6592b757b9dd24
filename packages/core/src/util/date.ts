import * as z from "../zod";

/** Whether `value` is YYYY-MM-DD naming a day that exists (no February 30th, no month 13). */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  return days !== undefined && d >= 1 && d <= days;
}

/**
 * A calendar day as YYYY-MM-DD: the one schema for every date a client sends.
 * Its checks abort, so refinements of an enclosing object (a date range) never
 * see a day that does not exist.
 */
// Pure: a handler that never uses it does not build it at cold start.
export const CalendarDate = /* @__PURE__ */ z
  .string()
  .check(z.regex(/^\d{4}-\d{2}-\d{2}$/, { message: "a date as YYYY-MM-DD", abort: true }), z.refine(isCalendarDate, { message: "not a calendar date", abort: true }));
