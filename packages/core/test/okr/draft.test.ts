import { describe, expect, it } from "vitest";
import { VisibleError } from "@coach/core/error";
import * as Okr from "../support/okr";
import type { OkrDraft } from "../support/okr";

const draft: OkrDraft = {
  objective: { statement: "Make Habitly the app people open every week", timeframe: "Q2" },
  keyResults: [{ id: "kr1", statement: "Increase weekly active users from 12,000 to 18,000", metric: "weekly active users", baseline: 12000, target: 18000, unit: "users" }],
};

function rejection(update: unknown, from: OkrDraft = draft): VisibleError {
  const before = structuredClone(from);
  try {
    Okr.applyDraftUpdate(from, update);
  } catch (error) {
    expect(from).toEqual(before);
    if (error instanceof VisibleError) return error;
    throw error;
  }
  throw new Error("expected the update to be rejected");
}

const newKr = (n: number) => ({ statement: `Increase metric ${n} from 10 to 20`, metric: `metric ${n}`, baseline: 10, target: 20 });

describe("applyDraftUpdate", () => {
  it("sets the objective, trimming strings", () => {
    const next = Okr.applyDraftUpdate(Okr.emptyDraft, { objective: { statement: "  Make onboarding delightful  ", timeframe: " Q3 " } });
    expect(next.objective).toEqual({ statement: "Make onboarding delightful", timeframe: "Q3" });
    expect(Okr.emptyDraft).toEqual({ objective: null, keyResults: [] });
  });

  it("adds key results with the next free id and changes existing ones by id", () => {
    const next = Okr.applyDraftUpdate(draft, {
      upsertKeyResults: [{ id: "KR1", target: 20000 }, newKr(2), { ...newKr(3), dueDate: "2026-06-30" }],
    });
    expect(next.keyResults.map((k) => k.id)).toEqual(["kr1", "kr2", "kr3"]);
    expect(next.keyResults[0]).toMatchObject({ baseline: 12000, target: 20000, unit: "users" });
    expect(next.keyResults[2]).toMatchObject({ dueDate: "2026-06-30" });
    expect(draft.keyResults[0]!.target).toBe(18000);
  });

  it("clears a field with null and removes key results by id", () => {
    const next = Okr.applyDraftUpdate(draft, { upsertKeyResults: [{ id: "kr1", baseline: null }] });
    expect(next.keyResults[0]).not.toHaveProperty("baseline");
    expect(Okr.applyDraftUpdate(draft, { removeKeyResults: ["kr1"] }).keyResults).toEqual([]);
    expect(Okr.applyDraftUpdate(draft, { removeKeyResults: ["kr1"], upsertKeyResults: [newKr(9)] }).keyResults.map((k) => k.id)).toEqual(["kr1"]);
  });

  it("rejects wrong types without touching the draft", () => {
    const error = rejection({ upsertKeyResults: [{ id: "kr1", target: "20000" }] });
    expect(error).toMatchObject({ kind: "invalid", code: "okr.invalid_update" });
    expect(error.details?.issues).toEqual([expect.objectContaining({ path: "upsertKeyResults.0.target" })]);
    expect(rejection({ objective: { statement: 42 } }).code).toBe("okr.invalid_update");
    expect(rejection("add a key result").code).toBe("okr.invalid_update");
    expect(rejection({ upsertKeyResults: [{ ...newKr(2), dueDate: "June 30" }] }).code).toBe("okr.invalid_update");
    expect(rejection({ upsertKeyResults: [{ ...newKr(2), dueDate: "2026-02-30" }] }).code).toBe("okr.invalid_update");
    expect(rejection({ upsertKeyResults: [{ ...newKr(2), target: Number.POSITIVE_INFINITY }] }).code).toBe("okr.invalid_update");
  });

  it("rejects a sixth key result", () => {
    const error = rejection({ upsertKeyResults: [2, 3, 4, 5, 6].map(newKr) });
    expect(error.code).toBe("okr.invalid_update");
    expect(error.message).toMatch(/at most 5 key results/);
    expect(rejection({ upsertKeyResults: [1, 2, 3, 4, 5, 6].map(newKr) }, Okr.emptyDraft).code).toBe("okr.invalid_update");
  });

  it("rejects duplicate ids and ambiguous or unknown references", () => {
    expect(rejection({ upsertKeyResults: [{ id: "kr2", ...newKr(2) }, { id: "kr2", ...newKr(3) }] }).message).toMatch(/kr2 appears twice/);
    expect(rejection({ upsertKeyResults: [{ id: "kr1", target: 1 }], removeKeyResults: ["kr1"] }).message).toMatch(/both removed and changed/);
    expect(rejection({ removeKeyResults: ["kr7"] }).message).toMatch(/no key result kr7/);
    expect(rejection({ upsertKeyResults: [{ id: "key-1", ...newKr(2) }] }).code).toBe("okr.invalid_update");
  });

  it("rejects empty statements and new key results without a metric", () => {
    expect(rejection({ objective: { statement: "   " } }).code).toBe("okr.invalid_update");
    expect(rejection({ upsertKeyResults: [{ statement: "", metric: "x", target: 1 }] }).code).toBe("okr.invalid_update");
    expect(rejection({ upsertKeyResults: [{ statement: "Grow revenue to 10k", target: 10000 }] }).message).toMatch(/needs a statement and a metric/);
  });

  it("rejects a draft that is not a valid draft, even from elsewhere", () => {
    const corrupt = { ...draft, keyResults: [draft.keyResults[0]!, draft.keyResults[0]!] };
    expect(rejection({}, corrupt).message).toMatch(/duplicate key result id kr1/);
  });
});
