import * as z from "../../zod";
import { VisibleError } from "../../error";
import { isCalendarDate } from "../../util/date";
import { invalidInput } from "../../util/invalid-input";

export const MIN_KEY_RESULTS = 2;
export const MAX_KEY_RESULTS = 5;

/** Strings are trimmed (models differ in whitespace); everything else must have the right type. */
const text = (min: number, max: number) => z.string().check(z.trim(), z.minLength(min), z.maxLength(max));

export const KeyResultId = z.string().check(z.trim(), z.toLowerCase(), z.regex(/^kr[1-9][0-9]?$/, "a key result id looks like kr1"));
export type KeyResultId = z.infer<typeof KeyResultId>;

export const IsoDate = z
  .string()
  .check(z.trim(), z.regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD"), z.refine(isCalendarDate, "not a calendar date"));

export const Objective = z.object({
  statement: text(3, 300).check(z.describe("The objective: qualitative, inspiring, one focus, no numbers")),
  timeframe: z.optional(text(1, 100)).check(z.describe('When it should be true, e.g. "Q3 2026" or "this quarter"')),
});
export type Objective = z.infer<typeof Objective>;

export const KeyResult = z.object({
  id: KeyResultId,
  statement: text(3, 300),
  metric: text(1, 120),
  baseline: z.optional(z.number()),
  target: z.optional(z.number()),
  unit: z.optional(text(1, 20)),
  dueDate: z.optional(IsoDate),
});
export type KeyResult = z.infer<typeof KeyResult>;

export const OkrDraft = z
  .object({
    objective: z.nullable(Objective),
    keyResults: z.array(KeyResult).check(z.maxLength(MAX_KEY_RESULTS, `at most ${MAX_KEY_RESULTS} key results`)),
  })
  .check(
    z.superRefine((draft, ctx) => {
      const seen = new Set<string>();
      draft.keyResults.forEach((kr, index) => {
        if (seen.has(kr.id)) ctx.addIssue({ code: "custom", path: ["keyResults", index, "id"], message: `duplicate key result id ${kr.id}` });
        seen.add(kr.id);
      });
    }),
  );
export type OkrDraft = z.infer<typeof OkrDraft>;

/** A draft with nothing in it; frozen, since every function here returns new drafts. */
const noKeyResults = Object.freeze([]) as unknown as KeyResult[];
export const emptyDraft: OkrDraft = Object.freeze({ objective: null, keyResults: noKeyResults });

const clearable = <T extends z.ZodMiniType>(schema: T, what: string) => z.optional(z.nullable(schema)).check(z.describe(`${what}; null clears it`));

/** One key result to add (no id, or an unused id) or to change (an existing id; omitted fields stay as they are). */
export const KeyResultUpsert = z.object({
  id: z.optional(KeyResultId).check(z.describe("An existing id to change that key result; omit it to add a new one (it gets the next free id)")),
  statement: z
    .optional(text(3, 300))
    .check(z.describe("The key result as one sentence, e.g. \"Increase weekly active users from 12,000 to 18,000 by June 30\"; required for a new one")),
  metric: z.optional(text(1, 120)).check(z.describe('What is measured, e.g. "weekly active users"; required for a new one')),
  baseline: clearable(z.number(), "Where the metric stands today, as a number"),
  target: clearable(z.number(), "Where the metric should be by the due date, as a number"),
  unit: clearable(text(1, 20), 'Unit of baseline and target, e.g. "%", "users", "$"'),
  dueDate: clearable(IsoDate, "Due date as YYYY-MM-DD"),
});
export type KeyResultUpsert = z.infer<typeof KeyResultUpsert>;

/** The input of the `update_okr_draft` tool: every change to a draft goes through it. */
export const DraftUpdate = z.object({
  objective: z.optional(z.nullable(Objective)).check(z.describe("Sets or replaces the whole objective; null removes it")),
  upsertKeyResults: z.optional(z.array(KeyResultUpsert).check(z.maxLength(MAX_KEY_RESULTS))).check(z.describe("Key results to add or change, matched by id")),
  removeKeyResults: z.optional(z.array(KeyResultId).check(z.maxLength(MAX_KEY_RESULTS))).check(z.describe("Ids of key results to remove")),
});
export type DraftUpdate = z.infer<typeof DraftUpdate>;

type Issue = { path: string; message: string };

/**
 * Applies an update to a draft and returns the new draft. The update and the
 * result are both validated; anything invalid throws `okr.invalid_update`
 * with the issues, and the input draft is never modified.
 */
export function applyDraftUpdate(draft: OkrDraft, update: unknown): OkrDraft {
  const parsed = DraftUpdate.safeParse(update);
  if (!parsed.success) throw invalidInput(parsed.error, "okr.invalid_update");
  const { objective, upsertKeyResults = [], removeKeyResults = [] } = parsed.data;

  const issues: Issue[] = [];
  const existing = new Set(draft.keyResults.map((kr) => kr.id));
  const removed = new Set(removeKeyResults);
  removeKeyResults.forEach((id, index) => {
    if (!existing.has(id)) issues.push({ path: `removeKeyResults.${index}`, message: `there is no key result ${id}` });
  });
  const upserted = new Set<string>();
  upsertKeyResults.forEach((kr, index) => {
    if (kr.id === undefined) return;
    if (upserted.has(kr.id)) issues.push({ path: `upsertKeyResults.${index}.id`, message: `${kr.id} appears twice` });
    if (removed.has(kr.id)) issues.push({ path: `upsertKeyResults.${index}.id`, message: `${kr.id} is both removed and changed` });
    upserted.add(kr.id);
  });

  const keyResults = draft.keyResults.filter((kr) => !removed.has(kr.id));
  const taken = new Set([...keyResults.map((kr) => kr.id), ...upserted]);
  upsertKeyResults.forEach((change, index) => {
    const position = change.id === undefined ? -1 : keyResults.findIndex((kr) => kr.id === change.id);
    if (position !== -1) {
      keyResults[position] = merge(keyResults[position]!, change);
      return;
    }
    if (change.statement === undefined || change.metric === undefined) {
      issues.push({ path: `upsertKeyResults.${index}`, message: "a new key result needs a statement and a metric" });
      return;
    }
    const id = change.id ?? nextFreeId(taken);
    taken.add(id);
    keyResults.push(merge({ id, statement: change.statement, metric: change.metric }, change));
  });
  if (issues.length > 0) throw rejected(issues);

  const next = OkrDraft.safeParse({ objective: objective === undefined ? draft.objective : objective, keyResults });
  if (!next.success) throw invalidInput(next.error, "okr.invalid_update");
  return next.data;
}

function merge(current: KeyResult, change: KeyResultUpsert): KeyResult {
  const result: KeyResult = { ...current };
  if (change.statement !== undefined) result.statement = change.statement;
  if (change.metric !== undefined) result.metric = change.metric;
  for (const field of ["baseline", "target", "unit", "dueDate"] as const) {
    const value = change[field];
    if (value === null) delete result[field];
    else if (value !== undefined) (result as Record<string, unknown>)[field] = value;
  }
  return result;
}

function nextFreeId(taken: Set<string>): string {
  for (let n = 1; ; n++) if (!taken.has(`kr${n}`)) return `kr${n}`;
}

function rejected(issues: Issue[]): VisibleError {
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join("; ");
  return new VisibleError("invalid", "okr.invalid_update", `Invalid input: ${summary}`, { issues });
}

/** Two drafts hold the same content (key order aside). */
export function sameDraft(a: OkrDraft, b: OkrDraft): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

const canonical = (draft: OkrDraft) => ({
  objective: draft.objective && { statement: draft.objective.statement, timeframe: draft.objective.timeframe },
  keyResults: draft.keyResults.map((kr) => [kr.id, kr.statement, kr.metric, kr.baseline, kr.target, kr.unit, kr.dueDate]),
});
