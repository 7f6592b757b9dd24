/**
 * The words the rubric and the offline coach's extractor agree on. Kept in
 * one place so a word that makes a key result an "activity" for the rubric
 * is the same word the coach warns about.
 */

/** Verbs that describe doing work (output), not the result of it (outcome). */
export const activityVerbs = new Set([
  "launch", "build", "write", "hold", "create", "do", "implement", "ship", "release", "develop", "run",
  "host", "publish", "complete", "finish", "deliver", "design", "organize", "organise", "conduct",
  "attend", "send", "hire", "migrate", "redesign", "add", "introduce", "start", "deploy", "produce",
  "set", "roll", "post",
]);

/** Past participles of activity verbs: a metric that counts them counts outputs ("emails sent"). */
export const activityParticiples = new Set([
  "launched", "built", "written", "held", "created", "done", "implemented", "shipped", "released",
  "developed", "hosted", "published", "completed", "finished", "delivered", "designed", "organized",
  "organised", "conducted", "attended", "sent", "hired", "migrated", "added", "introduced", "deployed",
  "produced", "posted",
]);

export const participleOf: Record<string, string> = {
  launch: "launched", build: "built", write: "written", hold: "held", create: "created", do: "done",
  implement: "implemented", ship: "shipped", release: "released", develop: "developed", run: "run",
  host: "hosted", publish: "published", complete: "completed", finish: "finished", deliver: "delivered",
  design: "designed", organize: "organized", organise: "organised", conduct: "conducted", attend: "attended",
  send: "sent", hire: "hired", migrate: "migrated", redesign: "redesigned", add: "added",
  introduce: "introduced", start: "started", deploy: "deployed", produce: "produced", post: "posted",
  make: "made", set: "set", roll: "rolled out",
};

export const increaseVerbs = new Set([
  "increase", "grow", "raise", "boost", "improve", "lift", "double", "triple", "expand", "reach", "hit",
  "achieve", "get", "scale", "accelerate",
]);

export const decreaseVerbs = new Set([
  "reduce", "decrease", "cut", "lower", "drop", "shrink", "minimize", "minimise", "halve", "eliminate",
]);

/** Words that say the number should go down. */
export const decreaseWords = new Set([...decreaseVerbs, "fewer", "less", "below", "under", "down"]);

/** Verbs that lead an aspirational objective. */
export const ambitionVerbs = new Set([
  "make", "become", "delight", "win", "transform", "lead", "own", "create", "build", "deliver", "turn",
  "unlock", "empower", "accelerate", "establish", "earn", "inspire", "champion", "reinvent", "help",
  "give", "bring", "redefine", "wow", "simplify", "grow", "change", "launch", "be", "put", "keep",
  "turn", "enable", "dominate", "nail", "crush",
]);

/** Words that make an objective aspirational even without an ambition verb. */
export const aspirationalWords = new Set([
  "best", "loved", "love", "beloved", "delightful", "world-class", "go-to", "effortless", "indispensable",
  "habit", "remarkable", "favorite", "favourite", "leading", "trusted", "joy", "joyful", "seamless",
  "great", "amazing", "exceptional", "unforgettable", "obvious", "first-class",
]);

/** Filler that makes an objective vague. */
export const fillerPatterns: readonly RegExp[] = [
  /\bstuff\b/i, /\bthings?\b/i, /\bvarious\b/i, /\betc\b/i, /\bwhatever\b/i, /\bsomehow\b/i, /\bmisc/i,
  /\b(do|get|be|make it|things) better\b/i, /\bin general\b/i, /\bwork on\b/i, /\btry to\b/i,
];

/** Words that are not content when comparing metrics and statements. */
export const stopWords = new Set([
  "the", "a", "an", "of", "our", "my", "their", "its", "per", "to", "from", "by", "in", "on", "at",
  "for", "with", "and", "or", "who", "that", "are", "is", "be", "still", "share", "number", "rate",
  "percentage", "percent", "total", "we", "us",
]);

export interface KnownMetric {
  /** The canonical name, used in statements and to spot duplicates. */
  name: string;
  pattern: RegExp;
  unit?: string;
}

/** Metrics the coach recognizes by name. The first match wins, so specific names come first. */
export const knownMetrics: readonly KnownMetric[] = [
  { name: "weekly active users", pattern: /\b(weekly active users|weekly actives|wau)\b/i, unit: "users" },
  { name: "monthly active users", pattern: /\b(monthly active users|monthly actives|mau)\b/i, unit: "users" },
  { name: "daily active users", pattern: /\b(daily active users|daily actives|dau)\b/i, unit: "users" },
  { name: "active users", pattern: /\bactive users\b/i, unit: "users" },
  { name: "NPS", pattern: /\b(nps|net promoter score)\b/i, unit: "points" },
  { name: "CSAT", pattern: /\b(csat|customer satisfaction)\b/i, unit: "%" },
  { name: "churn rate", pattern: /\bchurn( rate)?\b/i, unit: "%" },
  { name: "net revenue retention", pattern: /\b(net (?:revenue|dollar) retention|nrr|ndr)\b/i, unit: "%" },
  { name: "retention rate", pattern: /\bretention( rate)?\b/i, unit: "%" },
  { name: "conversion rate", pattern: /\bconversion( rate)?\b/i, unit: "%" },
  { name: "activation rate", pattern: /\bactivation( rate)?\b/i, unit: "%" },
  { name: "MRR", pattern: /\b(mrr|monthly recurring revenue)\b/i, unit: "$" },
  { name: "ARR", pattern: /\b(arr|annual recurring revenue)\b/i, unit: "$" },
  { name: "revenue", pattern: /\brevenue\b/i, unit: "$" },
  { name: "paying customers", pattern: /\bpaying customers\b/i, unit: "customers" },
  { name: "signups", pattern: /\b(sign-?ups|registrations)\b/i, unit: "signups" },
  { name: "downloads", pattern: /\b(downloads|installs)\b/i, unit: "downloads" },
  { name: "response time", pattern: /\b(response|resolution) time\b/i },
  { name: "time to first value", pattern: /\btime to (first )?value\b/i },
];

/**
 * Words that sharpen a metric's name when they stand right before it
 * ("net revenue retention", "4-week retention", "trial conversion"): the
 * coach keeps them, so the metric keeps the person's own name for it.
 */
export const metricModifiers = new Set([
  "net", "gross", "revenue", "dollar", "logo", "seat", "user", "customer", "subscriber", "member", "account",
  "weekly", "monthly", "daily", "annual", "yearly", "quarterly", "trial", "paid", "paying", "free", "new",
  "mobile", "web", "app", "cohort", "expansion", "subscription", "onboarding", "checkout", "signup", "sign-up",
  "average", "median", "first-week", "first-month", "organic", "email", "visitor", "lead",
]);
const durationModifier = /^(?:\d+-(?:day|week|month|year)|(?:day|week|month)-\d+|d\d+|w\d+|m\d+)$/;

/** Nouns that finish a metric's name after a known metric ("revenue growth", "signup conversion"). */
export const metricHeads = new Set(["growth", "rate", "retention", "attainment", "conversion", "churn", "score", "margin", "share"]);

export function isMetricModifier(word: string): boolean {
  return metricModifiers.has(word.toLowerCase()) || durationModifier.test(word.toLowerCase());
}

/**
 * Percentages that can honestly exceed 100 %: revenue kept or grown from the
 * same customers, growth rates, attainment of a quota or plan, returns.
 * Everything else measured in % is a share of something and stays within 0–100.
 * Retention of people (users, customers, a cohort) is a share; gross revenue
 * retention is capped at 100 % by definition.
 */
export const percentagesAbove100: readonly RegExp[] = [
  /\b(?:net (?:revenue |dollar )?retention|nrr|ndr)\b/i,
  /(?<!\bgross\s)\b(?:revenue|dollar) retention\b/i,
  /\bgrowth\b/i,
  /\battainment\b/i,
  /\bof (?:quota|plan|target|goal|budget)\b/i,
  /\b(?:roi|roas|return on (?:ad spend|investment))\b/i,
];

/** Percentages that can fall below 0 % (a shrinking business has negative growth). */
export const percentagesBelowZero: readonly RegExp[] = [/\bgrowth\b/i];

/** Words that name a metric inside an objective ("grow our weekly active users"). */
export const metricTerms: readonly RegExp[] = [
  ...knownMetrics.map((m) => m.pattern),
  /\b(users|customers|sales|traffic|visits|sessions|leads|subscribers|mrr|arr)\b/i,
];

export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9][a-z0-9'-]*/g) ?? [];
}

/** Content words, for comparing two metrics or statements. */
export function contentWords(text: string): string[] {
  return words(text).filter((w) => !stopWords.has(w));
}

export function knownMetricIn(text: string): KnownMetric | undefined {
  return knownMetrics.find((m) => m.pattern.test(text));
}
