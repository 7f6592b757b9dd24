import { isCalendarDate } from "../../util/date";

/**
 * Time expressions: what makes an objective time-bound for the rubric, and
 * how the offline coach turns "by June 30" or "end of Q2" into a due date.
 * The clock is never read here: relative dates need `today` (YYYY-MM-DD).
 */
const month = String.raw`(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`;
const day = String.raw`\d{1,2}(?:st|nd|rd|th)?`;
const year = String.raw`20\d{2}`;

const timePatterns: readonly RegExp[] = [
  new RegExp(String.raw`\b\d{4}-\d{2}-\d{2}\b`, "i"),
  new RegExp(String.raw`\b(?:by |until |before )?(?:the )?end of (?:the )?(?:quarter|year|month|half|q[1-4]|h[12]|${month})(?: ${year})?\b`, "i"),
  new RegExp(String.raw`\b(?:by |before |until )?(?:${month} ${day}|${day} (?:of )?${month})(?:,? ${year})?\b`, "i"),
  new RegExp(String.raw`\b(?:by |in |during |for )?(?:the )?(?:q[1-4]|h[12])(?:[ /']?(?:${year}|\d{2}))?\b`, "i"),
  /\b(?:this|next|the coming|the current) (?:quarter|half|year|month|semester|season)\b/i,
  /\b(?:within|in|over) the next \d+ (?:days|weeks|months)\b/i,
  /\b(?:year[- ]end|eoy|eoq|quarter[- ]end)\b/i,
  new RegExp(String.raw`\b(?:by|in|during|before|until) (?:${month}|${year})\b`, "i"),
];

/** The first time expression in `text`, as written ("this quarter", "by June 30"). */
export function findTimeframe(text: string): string | undefined {
  let best: { index: number; text: string } | undefined;
  for (const pattern of timePatterns) {
    const match = pattern.exec(text);
    if (match && (!best || match.index < best.index || (match.index === best.index && match[0].length > best.text.length))) {
      best = { index: match.index, text: match[0] };
    }
  }
  return best?.text.trim();
}

export function isTimeBound(text: string): boolean {
  return findTimeframe(text) !== undefined;
}

/** `text` with every time expression removed, so "Q3" or "June 30" are not mistaken for numbers. */
export function withoutTimeExpressions(text: string): string {
  let rest = text;
  for (const pattern of timePatterns) rest = rest.replace(new RegExp(pattern.source, "gi"), " ");
  return rest;
}

const monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const monthNumber = (name: string) => monthNames.indexOf(name.slice(0, 3).toLowerCase()) + 1;
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const iso = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
const endOfMonth = (y: number, m: number) => iso(y, m, daysIn(y, m));

/**
 * The due date a time expression in `text` names, as YYYY-MM-DD. Relative
 * expressions ("end of the quarter", "June 30" without a year) need `today`;
 * without it only fully specified dates resolve.
 */
export function resolveDueDate(text: string, today?: string): string | undefined {
  const now = today && isCalendarDate(today) ? { y: Number(today.slice(0, 4)), m: Number(today.slice(5, 7)), iso: today } : undefined;
  const upcoming = (m: number, d: number, y?: number) => {
    if (y) return isCalendarDate(iso(y, m, d)) ? iso(y, m, d) : undefined;
    if (!now) return undefined;
    const candidate = iso(now.y, m, Math.min(d, daysIn(now.y, m)));
    return candidate >= now.iso ? candidate : iso(now.y + 1, m, Math.min(d, daysIn(now.y + 1, m)));
  };
  const lower = text.toLowerCase();

  const isoMatch = /\b(\d{4}-\d{2}-\d{2})\b/.exec(lower);
  if (isoMatch?.[1] && isCalendarDate(isoMatch[1])) return isoMatch[1];

  const monthDay = new RegExp(String.raw`\b(${month}) (\d{1,2})(?:st|nd|rd|th)?(?:,? (${year}))?\b`).exec(lower);
  if (monthDay?.[1] && monthDay[2]) return upcoming(monthNumber(monthDay[1]), Number(monthDay[2]), monthDay[3] ? Number(monthDay[3]) : undefined);
  const dayMonth = new RegExp(String.raw`\b(\d{1,2})(?:st|nd|rd|th)? (?:of )?(${month})(?:,? (${year}))?\b`).exec(lower);
  if (dayMonth?.[1] && dayMonth[2]) return upcoming(monthNumber(dayMonth[2]), Number(dayMonth[1]), dayMonth[3] ? Number(dayMonth[3]) : undefined);

  const quarter = /\b(?:end of )?(?:the )?q([1-4])(?:[ /']?(20\d{2}|\d{2}))?\b/.exec(lower);
  if (quarter?.[1]) {
    const endMonth = Number(quarter[1]) * 3;
    const y = quarter[2] ? Number(quarter[2].length === 2 ? `20${quarter[2]}` : quarter[2]) : undefined;
    return upcoming(endMonth, daysIn(y ?? now?.y ?? 2000, endMonth), y);
  }
  const half = /\b(?:end of )?(?:the )?h([12])(?:[ /']?(20\d{2}))?\b/.exec(lower);
  if (half?.[1]) {
    const endMonth = Number(half[1]) * 6;
    return upcoming(endMonth, 30 + (endMonth === 12 ? 1 : 0), half[2] ? Number(half[2]) : undefined);
  }

  const endOfNamedMonth = new RegExp(String.raw`\bend of (${month})(?: (${year}))?\b`).exec(lower);
  if (endOfNamedMonth?.[1]) {
    const m = monthNumber(endOfNamedMonth[1]);
    const y = endOfNamedMonth[2] ? Number(endOfNamedMonth[2]) : undefined;
    return upcoming(m, daysIn(y ?? now?.y ?? 2001, m), y);
  }
  const byMonth = new RegExp(String.raw`\b(?:by|in|during|before|until) (${month})(?: (${year}))?\b`).exec(lower);
  if (byMonth?.[1]) {
    const m = monthNumber(byMonth[1]);
    const y = byMonth[2] ? Number(byMonth[2]) : undefined;
    return upcoming(m, daysIn(y ?? now?.y ?? 2001, m), y);
  }

  if (!now) return undefined;
  if (/\b(end of (the )?quarter|this quarter|current quarter|quarter[- ]end|eoq)\b/.test(lower)) {
    return endOfMonth(now.y, Math.ceil(now.m / 3) * 3);
  }
  if (/\b(end of (the )?year|this year|year[- ]end|eoy)\b/.test(lower)) return iso(now.y, 12, 31);
  if (/\b(end of (the )?month|this month)\b/.test(lower)) return endOfMonth(now.y, now.m);
  if (/\bnext quarter\b/.test(lower)) {
    const m = Math.ceil(now.m / 3) * 3 + 3;
    return m > 12 ? endOfMonth(now.y + 1, m - 12) : endOfMonth(now.y, m);
  }
  return undefined;
}
