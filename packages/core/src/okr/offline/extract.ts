import { formatValue } from "../prompts";
import { findTimeframe, resolveDueDate } from "../machine/timeframe";
import {
  activityVerbs,
  ambitionVerbs,
  decreaseVerbs,
  decreaseWords,
  increaseVerbs,
  isMetricModifier,
  knownMetricIn,
  metricHeads,
  participleOf,
  words,
  type KnownMetric,
} from "../machine/vocabulary";

/**
 * The offline coach's reading of what the user wrote: numbers with their
 * units and roles, dates, an objective candidate, key-result candidates and
 * activities. Rule-based and deterministic; it only proposes — every change
 * still goes through `update_okr_draft` and its validation.
 */

export interface NumberMention {
  value: number;
  unit?: string;
  /** What the words around it say it is, if anything. */
  role?: "baseline" | "target";
  index: number;
}

const monthName = /(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s*$/i;
const unitWords = new Set([
  "users", "customers", "signups", "sign-ups", "subscribers", "downloads", "installs", "accounts", "teams",
  "orders", "visits", "visitors", "sessions", "leads", "deals", "days", "hours", "minutes", "seconds",
  "ms", "points", "pts", "stars", "tickets", "members", "people", "students", "clients", "merchants",
]);
const timeUnit = /^\s*-?\s*(?:day|week|month|year|hour|minute|quarter)s?\b/i;
const qualifierBefore = /\b(?:after|within|in|over|for|during|first|each|every|per|the|of|on|past|last)\s*$/i;
const baselineMarker = /\b(?:from|currently|current(?:ly)?|today|now|right now|at the moment|we're at|we are at|it's|it is|is at|sits at|stands at|baseline|started at|only|down from|up from|was)\b/gi;
const targetMarker = /\b(?:to|reach|hit|get to|target|goal|aim|want|wants|love|like|at least|up to|be|grow to|double|achieve|hitting|reaching)\b/gi;

/** Numbers that are values (not dates, years, quarters or "after 4 weeks"), with their unit and role. */
export function findNumbers(text: string): NumberMention[] {
  const pattern = /(?<![\w.,$€£])(?:([$€£])\s?)?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s?(k|m|bn)\b)?(\s?%|\s?percent\b)?/gi;
  const mentions: NumberMention[] = [];
  let previousEnd = 0;
  for (const match of text.matchAll(pattern)) {
    const [raw, currency, digits = "", multiplier, percent] = match;
    const index = match.index;
    const before = text.slice(0, index);
    const after = text.slice(index + raw.length);
    if (monthName.test(before) || /^(?:st|nd|rd|th)\b/i.test(after) || /^\s*(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/i.test(after)) continue;
    if (/^[-/]\d/.test(after) || /\d[-/]$/.test(before)) continue;
    let value = Number(digits.replace(/,/g, ""));
    if (!currency && !multiplier && !percent && /^(?:19|20)\d{2}$/.test(digits) && !unitWords.has(nextWord(after))) continue;
    if (!percent && timeUnit.test(after) && (qualifierBefore.test(before) || /^-/.test(after))) continue;
    if (multiplier) value *= { k: 1_000, m: 1_000_000, bn: 1_000_000_000 }[multiplier.toLowerCase() as "k" | "m" | "bn"];
    const unit = percent ? "%" : currency ? currency : unitWords.has(nextWord(after)) ? nextWord(after) : undefined;
    mentions.push({ value, ...(unit ? { unit } : {}), ...roleOf(text.slice(previousEnd, index), after), index });
    previousEnd = index + raw.length;
  }
  return mentions;
}

const nextWord = (text: string) => /^\s*([a-z-]+)/i.exec(text)?.[1]?.toLowerCase() ?? "";

function roleOf(before: string, after: string): { role?: "baseline" | "target" } {
  if (/^\s*(?:\S+\s+)?(?:today|now|currently|right now|at the moment|at the start)\b/i.test(after.replace(/^\s*%/, ""))) return { role: "baseline" };
  const last = (pattern: RegExp) => [...before.matchAll(pattern)].at(-1)?.index ?? -1;
  const [b, t] = [last(baselineMarker), last(targetMarker)];
  if (b === -1 && t === -1) return {};
  return { role: b > t ? "baseline" : "target" };
}

export interface Values {
  baseline?: number;
  target?: number;
  unit?: string;
}

/** Baseline and target in a piece of text: "from X to Y", marked numbers, else the first two numbers in order. */
export function extractValues(text: string): Values {
  const numbers = findNumbers(text);
  const unit = numbers.find((n) => n.unit)?.unit;
  const withUnit = (values: Values): Values => ({ ...values, ...(unit ? { unit } : {}) });
  const fromTo = /\bfrom\s+[$€£]?\d[\d,.]*\s*(?:k|m|%|percent)?\b[\s\S]*?\bto\s+[$€£]?\d/i.exec(text);
  if (fromTo && numbers.length >= 2) {
    const first = numbers.findIndex((n) => n.index >= fromTo.index);
    const [b, t] = [numbers[first], numbers[first + 1]];
    if (b && t) return withUnit({ baseline: b.value, target: t.value });
  }
  let baseline = numbers.find((n) => n.role === "baseline")?.value;
  let target = [...numbers].reverse().find((n) => n.role === "target")?.value;
  const unmarked = numbers.filter((n) => n.role === undefined).map((n) => n.value);
  if (baseline === undefined && target === undefined && unmarked.length >= 2) [baseline, target] = unmarked;
  else if (target === undefined && unmarked.length > 0) target = unmarked.at(-1);
  else if (baseline === undefined && unmarked.length > 0 && numbers.length >= 2) baseline = unmarked[0];
  return withUnit({ ...(baseline !== undefined ? { baseline } : {}), ...(target !== undefined ? { target } : {}) });
}

export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

const leadingFiller =
  /^(?:so|maybe|perhaps|ok(?:ay)?|well|then|how about|what about|i think|i guess|something like|let's say|it could be|could be|basically|really|yes|yeah|right|fair point|fair enough|good point|the objective (?:could|should|would) be|our objective is|objective)\b[\s,:;-]*/i;
/** What people say when they mean an outcome; the captured groups, joined, are the objective. */
const intentMarkers: readonly RegExp[] = [
  /\b(?:i|we)(?:'d| would)?\s+(?:really\s+|mostly\s+|just\s+)?(?:want|like|love|need|hope|plan|aim|intend|are trying|am trying|'re trying|'m trying)\s+to\s+(.+)/i,
  // "we want agencies to rely on us every week": the outcome is what the others do
  /\b(?:i|we)(?:'d| would)?\s+(?:really\s+|mostly\s+|just\s+)?(?:want|like|love|need|hope for|expect)\s+((?!(?:to|you|help|it|this|that|some)\b)[a-z][\w'-]*(?:\s+[a-z][\w'-]*){0,5}?)\s+to\s+(.+)/i,
  /\b(?:goal|aim|objective|ambition|mission|dream|focus|outcome|hope)(?:\s+(?:i|we)\s+(?:want|need|have|are after|'re after))?\s+(?:here\s+)?(?:is|would be|should be)\s+for\s+(.+?)\s+to\s+(.+)/i,
  /\b(?:goal|aim|objective|ambition|mission|dream|focus|outcome|hope)(?:\s+(?:i|we)\s+(?:want|need|have|are after|'re after))?\s+(?:here\s+)?(?:is|would be|should be)\s+(?:to\s+|that\s+)?(.+)/i,
  /\bsuccess\s+(?:would\s+|will\s+)?(?:looks?\s+like|means?|be|is)\s+(?:that\s+)?(.+)/i,
  /\bfocus(?:ed)?\s+on\s+(.+)/i,
];
const metaWords = /\b(?:okrs?|objectives?|key results?|coach)\b/i;

export interface ObjectiveCandidate {
  statement: string;
  timeframe?: string;
}

/** The last thing in the message that reads like an objective: an intent ("I want to …") or a phrase led by an ambition verb. */
export function extractObjective(text: string): ObjectiveCandidate | undefined {
  let found: string | undefined;
  for (const sentence of sentences(text)) {
    for (const fragment of sentence.split(/:\s+|\s[—–-]\s/)) {
      let clause = fragment.trim();
      for (let previous = ""; previous !== clause; ) [previous, clause] = [clause, clause.replace(leadingFiller, "")];
      const marked = intentMarkers.map((m) => m.exec(clause)?.slice(1).filter(Boolean).join(" ")).find(Boolean);
      const first = words(clause)[0] ?? "";
      const candidate = marked ?? (ambitionVerbs.has(first) || increaseVerbs.has(first) || decreaseVerbs.has(first) ? clause : undefined);
      if (candidate && !metaWords.test(candidate) && words(candidate).length >= 2) found = candidate;
    }
  }
  if (!found) return undefined;
  const timeframe = findTimeframe(found) ?? findTimeframe(text);
  let statement = found;
  if (timeframe && statement.includes(timeframe)) statement = statement.replace(timeframe, " ");
  statement = tidy(statement.replace(/[\s,;]+(?:by|in|until|before|during|for|the)?\s*$/i, ""));
  if (statement.length < 3) return undefined;
  return { statement: statement.slice(0, 300), ...(timeframe ? { timeframe: timeframe.replace(/^(?:by|in|during|for)\s+(?:the\s+)?|^the\s+/i, "") } : {}) };
}

function tidy(text: string): string {
  const cleaned = text.replace(/["“”]/g, "").replace(/\s+/g, " ").replace(/\s+([,.;:!?])/g, "$1").replace(/[\s,.;:!?]+$/, "").trim();
  return cleaned.charAt(0).toUpperCase() + cleaned.slice(1);
}

export interface KeyResultCandidate {
  statement: string;
  metric: string;
  baseline?: number;
  target?: number;
  unit?: string;
  dueDate?: string;
  /** The statement was written as an activity (e.g. "Send 12 emails"). */
  activity: boolean;
}

export interface ExtractOptions {
  today?: string;
  /** A due date to use when the text names none (e.g. the end of the objective's timeframe). */
  defaultDueDate?: string;
}

/**
 * Key-result candidates: one per sentence that has numbers, with the metric
 * taken from the sentence or, failing that, from the sentence before it
 * ("Weekly active users is the obvious one. I'd love to reach 18,000.").
 * A metric named without numbers becomes a candidate without values.
 */
export function extractKeyResults(text: string, options: ExtractOptions = {}): KeyResultCandidate[] {
  const candidates: KeyResultCandidate[] = [];
  let pending: { metric: string; unit?: string; decrease: boolean } | undefined;
  for (const sentence of sentences(text)) {
    const found = metricIn(sentence);
    const values = extractValues(sentence);
    const hasValues = values.target !== undefined || values.baseline !== undefined;
    if (!hasValues) {
      if (found) pending = found;
      continue;
    }
    const metric = found ?? pending;
    pending = undefined;
    if (!metric) continue;
    const dueDate = resolveDueDate(sentence, options.today) ?? options.defaultDueDate;
    const unit = values.unit ?? metric.unit;
    const fields = { metric: metric.metric, ...numbers(values), ...(unit ? { unit } : {}), ...(dueDate ? { dueDate } : {}) };
    const activity = activityIn(sentence);
    const decrease = metric.decrease || (values.target !== undefined && values.baseline !== undefined && values.target < values.baseline);
    candidates.push(
      found?.activity && activity
        ? { ...fields, statement: tidy(activity), activity: true }
        : { ...fields, statement: composeStatement({ ...fields, decrease }), activity: false },
    );
  }
  if (pending) {
    const dueDate = options.defaultDueDate;
    const fields = { metric: pending.metric, ...(pending.unit ? { unit: pending.unit } : {}), ...(dueDate ? { dueDate } : {}) };
    candidates.push({ ...fields, statement: composeStatement({ ...fields, decrease: pending.decrease }), activity: false });
  }
  return candidates;
}

const numbers = (values: Values) => ({
  ...(values.baseline !== undefined ? { baseline: values.baseline } : {}),
  ...(values.target !== undefined ? { target: values.target } : {}),
});

const changeVerb = /\b(increase|grow|raise|boost|improve|lift|reduce|decrease|cut|lower|drop|shrink|double|halve)\s+(?:the\s+|our\s+|my\s+)?(.+?)\s+(?:from|to|by|below|under|above|at)\b/i;
const shareOf =
  /\d+(?:\.\d+)?\s?(?:%|percent)\s+of\s+(?:our\s+|the\s+|all\s+)?([a-z][a-z-]*(?:\s+[a-z][a-z-]*){0,3}?)\s+(?:who\s+|that\s+)?(are|is|were|was|will|would|should|to|have|has)\s+([^,;.]+?)(?=[,;.]|\s+and\s+|\s+but\s+|$)/i;
const shareOfAnything = /\d+(?:\.\d+)?\s?(?:%|percent)\s+of\s+(?:our\s+|the\s+|all\s+)?([^,;.]+?)(?=[,;.]|\s+and\s+|\s+but\s+|$)/i;
const activityCount = /\b(send|launch|write|publish|hold|run|host|ship|create|build|release|post|deliver|complete|finish|conduct|organi[sz]e|hire|add|implement)\s+(\d[\d,]*)\s+(.+?)(?=\s+(?:to|for|by|in|on|per|each|every|with|before|until)\b|[,;.]|$)/i;

/** The metric a sentence names, if any. */
export function metricIn(sentence: string): { metric: string; unit?: string; decrease: boolean; activity?: boolean } | undefined {
  const decrease = words(sentence).some((w) => decreaseWords.has(w));
  const share = shareOf.exec(sentence);
  if (share?.[1] && share[2] && share[3]) {
    const link = share[2].toLowerCase();
    const joiner = ["are", "is", "were", "was"].includes(link) ? "" : link === "have" || link === "has" ? "who have " : "who ";
    return { metric: `share of ${share[1].toLowerCase()} ${joiner}${share[3].trim()}`, unit: "%", decrease };
  }
  const anyShare = shareOfAnything.exec(sentence);
  if (anyShare?.[1]) return { metric: `share of ${anyShare[1].trim()}`, unit: "%", decrease };
  const count = activityCount.exec(sentence);
  if (count?.[1] && count[3]) {
    const verb = count[1].toLowerCase();
    return { metric: `${count[3].toLowerCase()} ${participleOf[verb] ?? `${verb}ed`}`, decrease: false, activity: true };
  }
  const change = changeVerb.exec(sentence);
  if (change?.[2] && !/\d/.test(change[2])) {
    const known = knownMetricIn(change[2]);
    const named = words(change[2]).length <= 4 || !known ? asWritten(change[2]) : ownMetricName(change[2], known);
    return { metric: named, ...(known?.unit ? { unit: known.unit } : {}), decrease };
  }
  const known = knownMetricIn(sentence);
  if (known) return { metric: ownMetricName(sentence, known), ...(known.unit ? { unit: known.unit } : {}), decrease };
  const counted = findNumbers(sentence).find((n) => n.unit && unitWords.has(n.unit));
  if (counted?.unit) return { metric: counted.unit, unit: counted.unit, decrease };
  return undefined;
}

/**
 * The person's own name for a metric the coach knows: the words they used
 * ("NRR", "churn") with the modifiers right before them ("net revenue
 * retention", "4-week retention") and a head noun after ("revenue growth"),
 * not the coach's canonical name.
 */
function ownMetricName(text: string, known: KnownMetric): string {
  const match = known.pattern.exec(text);
  if (!match) return known.name;
  const before = text.slice(0, match.index).trim().split(/\s+/);
  const after = text.slice(match.index + match[0].length).trim().split(/\s+/);
  const modifiers: string[] = [];
  while (modifiers.length < 3 && isMetricModifier(before.at(-1) ?? "")) modifiers.unshift(before.pop() ?? "");
  const heads: string[] = [];
  while (heads.length < 2 && metricHeads.has((after[0] ?? "").toLowerCase())) heads.push(after.shift() ?? "");
  return asWritten([...modifiers, match[0], ...heads].join(" "));
}

/** A name as the person wrote it, in lower case except acronyms ("NRR", "WAU"). */
const asWritten = (name: string) =>
  name
    .trim()
    .split(/\s+/)
    .map((word) => (/^[A-Z][A-Z0-9-]+$/.test(word) ? word : word.toLowerCase()))
    .join(" ");

const confirmation =
  /\b(?:yes|yep|yeah|yup|sure|confirm(?:ed)?|looks? (?:good|great|right|fine)|sounds? (?:good|great|right)|perfect|great|exactly what (?:i|we) (?:needed|wanted)|(?:that's|that is|this is) (?:it|all|the set|everything|right|exactly it)|(?:we're|we are|i'm|i am) (?:done|happy)|happy with (?:it|that|this|the set)|lock it in|ship it|let's (?:finish|wrap up|go with (?:it|that|this))|good to go|all set)\b/i;
const bareConfirmation = /^(?:ok(?:ay)?|fine|done|agreed|deal)[.!]*$/i;
const doubt = /\b(?:no|not|don't|doesn't|isn't|wait|but|another|also|more|next|third|fourth|fifth|add|change|replace|remove|drop|instead|swap|what about|how about|unless)\b|\d/i;

/** The person accepts the set as it is ("that's the set", "looks good"), in a sentence of its own, without a question or a change. */
export function confirmsSet(text: string): boolean {
  if (text.includes("?")) return false;
  return sentences(text).some((sentence) => (confirmation.test(sentence) || bareConfirmation.test(sentence)) && !doubt.test(sentence));
}

/** The activity a sentence proposes ("launch a streak feature"), from its activity verb to the end. */
export function activityIn(sentence: string): string | undefined {
  const stripped = sentence.replace(/^[^:]*:\s+/, "").replace(leadingFiller, "");
  const marker = /\b(?:we should|we'll|we will|we could|let's|lets|i want to|we want to|we need to|i'd like to|we'd like to|plan to|going to|gonna|and)\s+(?:also\s+|just\s+|probably\s+)?/gi;
  const starts = [0, ...[...stripped.matchAll(marker)].map((m) => m.index + m[0].length)];
  for (const start of starts) {
    const rest = stripped.slice(start).replace(/[.!?]+$/, "");
    if (activityVerbs.has(words(rest)[0] ?? "")) return rest.trim();
  }
  return undefined;
}

const monthsLong = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

export function formatDate(iso: string): string {
  const [y, m, d] = iso.split("-").map(Number);
  return `${monthsLong[(m ?? 1) - 1]} ${d}, ${y}`;
}

/**
 * A key result written out from its fields: "Increase weekly active users
 * from 12,000 to 18,000 by June 30, 2026". The coach rewrites statements it
 * composed when their numbers change.
 */
export function composeStatement(kr: { metric: string; baseline?: number; target?: number; unit?: string; dueDate?: string; decrease: boolean }): string {
  const unit = kr.unit && (kr.unit === "%" || kr.unit === "$" || !kr.metric.toLowerCase().includes(kr.unit.toLowerCase())) ? kr.unit : undefined;
  const metric = /^share\b/i.test(kr.metric) ? `the ${kr.metric}` : kr.metric;
  const due = kr.dueDate ? ` by ${formatDate(kr.dueDate)}` : "";
  if (kr.target === undefined) return `${kr.decrease ? "Reduce" : "Grow"} ${metric}${due}`;
  if (kr.baseline === undefined) return `${kr.decrease ? "Reduce" : "Grow"} ${metric} to ${formatValue(kr.target, unit)}${due}`;
  return `${kr.decrease ? "Reduce" : "Increase"} ${metric} from ${formatValue(kr.baseline, unit)} to ${formatValue(kr.target, unit)}${due}`;
}
