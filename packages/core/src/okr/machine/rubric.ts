import { MAX_KEY_RESULTS, MIN_KEY_RESULTS, type KeyResult, type Objective, type OkrDraft } from "./draft";
import { isTimeBound, withoutTimeExpressions } from "./timeframe";
import {
  activityParticiples,
  activityVerbs,
  ambitionVerbs,
  aspirationalWords,
  contentWords,
  decreaseVerbs,
  decreaseWords,
  fillerPatterns,
  increaseVerbs,
  knownMetricIn,
  metricTerms,
  percentagesAbove100,
  percentagesBelowZero,
  words,
} from "./vocabulary";

/**
 * The OKR quality rubric. Deterministic: the same draft always gets the same
 * scores, whoever wrote it (Claude or the offline coach); the stored score is
 * always this one. Every item starts at 100 and each failed criterion costs
 * its points (never below 0); each cost is a named reason with a suggestion.
 *
 * Objective
 *   objective.missing           100  there is no objective yet
 *   objective.has_numbers        20  qualitative: no numbers or percentages (dates and quarters are fine)
 *   objective.is_metric          35  not a metric itself: no "from A to B", no change verb next to a number
 *                                     or a metric name ("grow weekly active users")
 *   objective.vague              20  specific: at least 4 words and no filler ("stuff", "things", "do better")
 *   objective.not_inspiring      10  inspiring: an ambition verb (make, become, delight…) or aspirational word
 *   objective.multiple_focus     15  single focus: not "A and B and C", not two goals joined by "and"
 *   objective.not_time_bound     15  time-bound: a timeframe (this quarter, Q3, by June 30, this year)
 *
 * Key result
 *   kr.not_measurable            35  a metric and a numeric target
 *   kr.activity_not_outcome      30  an outcome, not an output: not led by an activity verb (launch, build,
 *                                     write, hold, create, do, implement, send…) nor counting outputs ("emails sent")
 *   kr.no_baseline               20  a baseline: where the metric stands today
 *   kr.no_change                 25  the target differs from the baseline
 *   kr.wrong_direction           25  the target moves the way the statement says ("reduce" → lower)
 *   kr.implausible               20  plausible: at most 10x the baseline (or a tenth of it for reductions);
 *                                     percentages move at most 50 points and stay within 0–100, except for
 *                                     metrics that can exceed 100 % (net revenue retention, growth, quota
 *                                     attainment, returns; growth may also be negative)
 *   kr.unambitious               10  ambitious: at least a 5% relative change (1 point for percentages)
 *   kr.duplicate                 30  distinct: not the same metric or a near-identical statement as an earlier KR
 *
 * Set
 *   overall = 40% objective + 60% of the mean KR score, where the mean is over
 *   at least two slots (a set with one KR counts an empty second slot as 0).
 *   complete = an objective and 2–5 key results.
 *   passes   = complete, overall ≥ RUBRIC_THRESHOLD (70) and no item below RUBRIC_ITEM_FLOOR (60),
 *              so one strong KR cannot carry a weak one.
 */
export const RUBRIC_THRESHOLD = 70;
export const RUBRIC_ITEM_FLOOR = 60;
export const OBJECTIVE_WEIGHT = 0.4;

export interface Criterion {
  code: ReasonCode;
  points: number;
  /** What the criterion asks for. */
  description: string;
  /** How to fix a draft that fails it. */
  suggestion: string;
}

export type ObjectiveReasonCode =
  | "objective.missing"
  | "objective.has_numbers"
  | "objective.is_metric"
  | "objective.vague"
  | "objective.not_inspiring"
  | "objective.multiple_focus"
  | "objective.not_time_bound";

export type KeyResultReasonCode =
  | "kr.not_measurable"
  | "kr.activity_not_outcome"
  | "kr.no_baseline"
  | "kr.no_change"
  | "kr.wrong_direction"
  | "kr.implausible"
  | "kr.unambitious"
  | "kr.duplicate";

export type ReasonCode = ObjectiveReasonCode | KeyResultReasonCode;

export interface Reason {
  code: ReasonCode;
  /** What is wrong with this item, in words. */
  message: string;
  /** What it cost. */
  points: number;
  suggestion: string;
}

export interface ItemScore {
  score: number;
  reasons: Reason[];
}

export interface DraftScore {
  overall: number;
  objective: ItemScore;
  keyResults: (ItemScore & { id: string })[];
  complete: boolean;
  passes: boolean;
}

export const objectiveCriteria: readonly Criterion[] = [
  { code: "objective.missing", points: 100, description: "There is an objective.", suggestion: "Write the one outcome you want this period, in words." },
  {
    code: "objective.has_numbers",
    points: 20,
    description: "Qualitative: no numbers or percentages (dates and quarters are fine).",
    suggestion: "Move the numbers into key results and keep the objective in words.",
  },
  {
    code: "objective.is_metric",
    points: 35,
    description: "Not a metric itself: not 'move X from A to B' or 'grow <metric>'.",
    suggestion: "Say what changes for people and why it matters; the metric becomes a key result.",
  },
  {
    code: "objective.vague",
    points: 20,
    description: "Specific: at least four words and no filler such as 'stuff', 'things' or 'do better'.",
    suggestion: "Name who benefits and what concretely gets better.",
  },
  {
    code: "objective.not_inspiring",
    points: 10,
    description: "Inspiring: led by an ambition verb (make, become, delight, win…) or aspirational words.",
    suggestion: "Start with an ambition verb, e.g. 'Make…', 'Become…', 'Delight…'.",
  },
  {
    code: "objective.multiple_focus",
    points: 15,
    description: "Single focus: one outcome, not several goals joined by 'and'.",
    suggestion: "Pick the one outcome that matters most; the others can be key results or another OKR.",
  },
  {
    code: "objective.not_time_bound",
    points: 15,
    description: "Time-bound: a timeframe such as 'this quarter', 'Q3' or 'by June 30'.",
    suggestion: "Add when it should be true, e.g. 'this quarter' or 'by the end of Q3'.",
  },
];

export const keyResultCriteria: readonly Criterion[] = [
  {
    code: "kr.not_measurable",
    points: 35,
    description: "Measurable: a metric and a numeric target.",
    suggestion: "Give the number you want to reach, e.g. 'to 18,000' or 'to 35%'.",
  },
  {
    code: "kr.activity_not_outcome",
    points: 30,
    description: "An outcome, not an output: not led by an activity verb (launch, build, write, hold, create, do, implement…) and not counting outputs.",
    suggestion: "Ask what result the work should change, and measure that instead (e.g. retention, usage, satisfaction).",
  },
  {
    code: "kr.no_baseline",
    points: 20,
    description: "A baseline: where the metric stands today.",
    suggestion: "Add today's value so progress can be judged; an estimate is fine.",
  },
  {
    code: "kr.no_change",
    points: 25,
    description: "The target differs from the baseline.",
    suggestion: "Set a target that moves the metric from where it is today.",
  },
  {
    code: "kr.wrong_direction",
    points: 25,
    description: "The target moves the way the statement says (e.g. 'reduce' means a lower target).",
    suggestion: "Check the baseline and target are not swapped.",
  },
  {
    code: "kr.implausible",
    points: 20,
    description:
      "Plausible: at most 10x the baseline (or a tenth of it for reductions); percentages move at most 50 points and stay within 0–100, except metrics that can exceed 100% (net revenue retention, growth, quota attainment, returns such as ROI).",
    suggestion: "Pick a stretch you could still reach, or split it into stages.",
  },
  {
    code: "kr.unambitious",
    points: 10,
    description: "Ambitious: at least a 5% relative change (1 point for percentages).",
    suggestion: "Stretch the target: a key result should feel uncomfortable but possible.",
  },
  {
    code: "kr.duplicate",
    points: 30,
    description: "Distinct: not the same metric or a near-identical statement as an earlier key result.",
    suggestion: "Merge it with the other key result, or measure a different signal.",
  },
];

export const criteria: readonly Criterion[] = [...objectiveCriteria, ...keyResultCriteria];
const criterion = (code: ReasonCode) => criteria.find((c) => c.code === code)!;

function reason(code: ReasonCode, message: string): Reason {
  const { points, suggestion } = criterion(code);
  return { code, message, points, suggestion };
}

function total(reasons: Reason[]): ItemScore {
  return { score: Math.max(0, 100 - reasons.reduce((sum, r) => sum + r.points, 0)), reasons };
}

const numberPattern = /\d|\bpercent\b|%/i;
const changeVerbs = new Set([...increaseVerbs, ...decreaseVerbs]);
const allVerbs = new Set([...changeVerbs, ...ambitionVerbs, ...activityVerbs]);

/** `timeframeHint`: a timeframe known from elsewhere (e.g. the session), used when the objective has none. */
export function scoreObjective(objective: Objective | null | undefined, timeframeHint?: string): ItemScore {
  if (!objective) return total([reason("objective.missing", "There is no objective yet.")]);
  const statement = objective.statement;
  const tokens = words(statement);
  const untimed = withoutTimeExpressions(statement);
  const reasons: Reason[] = [];

  if (numberPattern.test(untimed)) reasons.push(reason("objective.has_numbers", "The objective contains numbers; it should be qualitative."));
  if (looksLikeMetric(untimed)) reasons.push(reason("objective.is_metric", "The objective reads like a metric — that belongs in a key result."));
  if (tokens.length < 4 || fillerPatterns.some((p) => p.test(statement))) {
    reasons.push(reason("objective.vague", "The objective is vague; it does not say concretely what should change."));
  }
  if (!ambitionVerbs.has(tokens[0] ?? "") && !tokens.some((w) => ambitionVerbs.has(w) || aspirationalWords.has(w))) {
    reasons.push(reason("objective.not_inspiring", "The objective has no ambition verb or aspirational language."));
  }
  if (hasMultipleFocus(statement)) reasons.push(reason("objective.multiple_focus", "The objective pursues more than one goal."));
  if (!isTimeBound(statement) && !objective.timeframe?.trim() && !timeframeHint?.trim()) {
    reasons.push(reason("objective.not_time_bound", "The objective has no timeframe."));
  }
  return total(reasons);
}

function looksLikeMetric(text: string): boolean {
  if (/\bfrom\s+\S*\d[\s\S]*\bto\s+\S*\d/i.test(text)) return true;
  const tokens = words(text);
  return tokens.some((word, i) => {
    if (!changeVerbs.has(word)) return false;
    const after = tokens.slice(i + 1, i + 6).join(" ");
    const near = tokens.slice(i + 1, i + 4).join(" ");
    return /\d/.test(after) || knownMetricIn(after) !== undefined || metricTerms.some((term) => term.test(near));
  });
}

function hasMultipleFocus(text: string): boolean {
  const tokens = words(text.replace(/&/g, " and ").replace(/;/g, " and ").replace(/\bas well as\b/gi, " and "));
  const conjunctions = tokens.flatMap((w, i) => (w === "and" || w === "plus" ? [i] : []));
  if (conjunctions.length >= 2) return true;
  return conjunctions.some((i) => {
    const next = tokens[i + 1] === "also" ? tokens[i + 2] : tokens[i + 1];
    return next !== undefined && allVerbs.has(next);
  });
}

/** A metric and a numeric target: what kr_discovery needs before validation. */
export function isMeasurable(kr: KeyResult): boolean {
  return typeof kr.target === "number" && contentWords(kr.metric).length > 0;
}

export function isActivity(kr: Pick<KeyResult, "statement" | "metric">): boolean {
  const first = words(kr.statement)[0] ?? "";
  return activityVerbs.has(first) || words(kr.metric).some((w) => activityParticiples.has(w));
}

/** Whether the statement says the number should go down. */
export function wantsDecrease(statement: string): boolean {
  return words(statement).some((w) => decreaseWords.has(w));
}

/** `allKrs`: the whole set, in order; a KR is a duplicate of one that comes before it. */
export function scoreKeyResult(kr: KeyResult, allKrs: readonly KeyResult[] = [kr]): ItemScore {
  const reasons: Reason[] = [];
  if (!isMeasurable(kr)) reasons.push(reason("kr.not_measurable", `${kr.id} has no numeric target.`));
  if (isActivity(kr)) reasons.push(reason("kr.activity_not_outcome", `${kr.id} describes an activity (an output), not an outcome.`));
  if (typeof kr.baseline !== "number") reasons.push(reason("kr.no_baseline", `${kr.id} has no baseline.`));
  if (typeof kr.baseline === "number" && typeof kr.target === "number") reasons.push(...changeReasons(kr, kr.baseline, kr.target));
  const position = allKrs.findIndex((other) => other.id === kr.id);
  const earlier = position === -1 ? allKrs.filter((other) => other !== kr) : allKrs.slice(0, position);
  const twin = earlier.find((other) => sameMetric(other.metric, kr.metric) || similarity(other.statement, kr.statement) >= 0.8);
  if (twin) reasons.push(reason("kr.duplicate", `${kr.id} measures the same thing as ${twin.id}.`));
  return total(reasons);
}

function changeReasons(kr: KeyResult, baseline: number, target: number): Reason[] {
  if (target === baseline) return [reason("kr.no_change", `${kr.id}'s target equals its baseline.`)];
  const decrease = wantsDecrease(kr.statement);
  const increase = words(kr.statement).some((w) => increaseVerbs.has(w) && w !== "reach" && w !== "hit" && w !== "get" && w !== "achieve");
  if ((decrease && target > baseline) || (increase && !decrease && target < baseline)) {
    return [reason("kr.wrong_direction", `${kr.id} says ${decrease ? "reduce" : "increase"} but its target goes the other way.`)];
  }
  const percent = kr.unit?.trim() === "%";
  const change = Math.abs(target - baseline);
  const range = percentRange(kr);
  if (percent && (target < range.min || target > range.max || change > 50)) {
    const why = change > 50 ? "a jump of more than 50 points is not plausible" : target > range.max ? "a share cannot go past 100%" : `it cannot go below ${range.min}%`;
    return [reason("kr.implausible", `${kr.id} moves a percentage from ${baseline}% to ${target}%: ${why}.`)];
  }
  if (baseline > 0 && target > 0 && (target / baseline > 10 || (target < baseline && baseline / target > 10))) {
    return [reason("kr.implausible", `${kr.id} changes the metric more than tenfold.`)];
  }
  const tooSmall = percent ? change < 1 : baseline !== 0 && change / Math.abs(baseline) < 0.05;
  if (tooSmall) return [reason("kr.unambitious", `${kr.id} barely moves the metric.`)];
  return [];
}

/**
 * The values a percentage metric can take: a share stays within 0–100; some
 * metrics can exceed 100 % (net revenue retention, growth, attainment) and
 * growth can be negative.
 */
export function percentRange(kr: Pick<KeyResult, "metric" | "statement">): { min: number; max: number } {
  if (/\b(?:share|percentage|proportion) of\b|^share\b/i.test(kr.metric)) return { min: 0, max: 100 };
  const text = `${kr.metric} ${kr.statement}`;
  return {
    min: percentagesBelowZero.some((p) => p.test(text)) ? -100 : 0,
    max: percentagesAbove100.some((p) => p.test(text)) ? Number.POSITIVE_INFINITY : 100,
  };
}

/** Metrics are the same if they name the same known metric or have the same content words. */
export function sameMetric(a: string, b: string): boolean {
  const known = (text: string) => knownMetricIn(text)?.name;
  const [ka, kb] = [known(a), known(b)];
  if (ka && kb) return ka === kb;
  const [wa, wb] = [contentWords(a).sort().join(" "), contentWords(b).sort().join(" ")];
  return wa.length > 0 && wa === wb;
}

/** Jaccard similarity of the content words of two statements. */
function similarity(a: string, b: string): number {
  const [sa, sb] = [new Set(contentWords(a)), new Set(contentWords(b))];
  if (sa.size === 0 || sb.size === 0) return 0;
  const shared = [...sa].filter((w) => sb.has(w)).length;
  return shared / (sa.size + sb.size - shared);
}

export function scoreDraft(draft: OkrDraft): DraftScore {
  const objective = scoreObjective(draft.objective);
  const keyResults = draft.keyResults.map((kr) => ({ id: kr.id, ...scoreKeyResult(kr, draft.keyResults) }));
  const slots = Math.max(MIN_KEY_RESULTS, keyResults.length);
  const krMean = keyResults.reduce((sum, kr) => sum + kr.score, 0) / slots;
  const overall = Math.round(OBJECTIVE_WEIGHT * objective.score + (1 - OBJECTIVE_WEIGHT) * krMean);
  const complete = draft.objective !== null && keyResults.length >= MIN_KEY_RESULTS && keyResults.length <= MAX_KEY_RESULTS;
  const floorHolds = objective.score >= RUBRIC_ITEM_FLOOR && keyResults.every((kr) => kr.score >= RUBRIC_ITEM_FLOOR);
  return { overall, objective, keyResults, complete, passes: complete && overall >= RUBRIC_THRESHOLD && floorHolds };
}

/** Every reason in a score, weakest item first, costliest reason first: what to fix next. */
export function weakestReasons(score: DraftScore): (Reason & { item: string })[] {
  const items = [{ item: "objective", ...score.objective }, ...score.keyResults.map((kr) => ({ item: kr.id, score: kr.score, reasons: kr.reasons }))];
  return items
    .filter((i) => i.reasons.length > 0)
    .sort((a, b) => a.score - b.score)
    .flatMap((i) => [...i.reasons].sort((a, b) => b.points - a.points).map((r) => ({ ...r, item: i.item })));
}
