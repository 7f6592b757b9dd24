import { describe, expect, it } from "vitest";
import * as Okr from "../support/okr";
import type { KeyResult, OkrDraft } from "../support/okr";

const codes = (score: { reasons: { code: string }[] }) => score.reasons.map((r) => r.code);
const objective = (statement: string, timeframe?: string) => Okr.scoreObjective({ statement, ...(timeframe ? { timeframe } : {}) });
const kr = (fields: Partial<KeyResult> & Pick<KeyResult, "statement" | "metric">): KeyResult => ({ id: "kr1", ...fields });

const strong: OkrDraft = {
  objective: { statement: "Make Habitly the app people open every week to keep their habits on track", timeframe: "Q2 2026" },
  keyResults: [
    kr({ id: "kr1", statement: "Increase weekly active users from 12,000 to 18,000", metric: "weekly active users", baseline: 12000, target: 18000, unit: "users" }),
    kr({ id: "kr2", statement: "Increase 4-week retention of new signups from 22% to 35%", metric: "4-week retention of new signups", baseline: 22, target: 35, unit: "%" }),
  ],
};

describe("the rubric scores the objective", () => {
  it("gives a qualitative, inspiring, single-focus, time-bound objective full marks", () => {
    expect(objective("Make Habitly the app people open every week to keep their habits on track", "this quarter")).toEqual({ score: 100, reasons: [] });
    expect(objective("Delight first-time customers with an effortless checkout by the end of Q3").score).toBe(100);
  });

  it("flags numbers but not dates or quarters", () => {
    expect(codes(objective("Make onboarding delightful for 80% of new teams", "Q3"))).toContain("objective.has_numbers");
    expect(codes(objective("Make onboarding delightful for new teams by June 30"))).not.toContain("objective.has_numbers");
    expect(codes(objective("Make onboarding delightful for new teams in Q3 2026"))).not.toContain("objective.has_numbers");
  });

  it("flags an objective that is a metric", () => {
    expect(codes(objective("Increase weekly active users from 10k to 15k", "Q3"))).toEqual(expect.arrayContaining(["objective.is_metric", "objective.has_numbers"]));
    const metricLike = objective("Grow our weekly active users", "this quarter");
    expect(codes(metricLike)).toEqual(["objective.is_metric"]);
    expect(metricLike.score).toBe(65);
    expect(metricLike.score).toBeLessThan(Okr.RUBRIC_THRESHOLD);
  });

  it("flags vague filler and a lack of ambition", () => {
    const vague = objective("Improve stuff", "Q3");
    expect(codes(vague)).toEqual(expect.arrayContaining(["objective.vague", "objective.not_inspiring"]));
    expect(codes(objective("Do better with various things for customers", "Q3"))).toContain("objective.vague");
    expect(codes(objective("Our onboarding experience for new teams", "Q3"))).toEqual(["objective.not_inspiring"]);
  });

  it("flags more than one focus", () => {
    expect(codes(objective("Grow a loyal community and reduce support load", "Q3"))).toContain("objective.multiple_focus");
    expect(codes(objective("Delight customers and partners and investors", "Q3"))).toContain("objective.multiple_focus");
    expect(codes(objective("Make onboarding fast and delightful for new teams", "Q3"))).not.toContain("objective.multiple_focus");
  });

  it("needs a timeframe in the statement, the timeframe field or the hint", () => {
    expect(codes(objective("Make onboarding delightful for new teams"))).toEqual(["objective.not_time_bound"]);
    expect(Okr.scoreObjective({ statement: "Make onboarding delightful for new teams" }, "H2").score).toBe(100);
    expect(codes(objective("Make onboarding delightful for new teams this year"))).toEqual([]);
  });

  it("scores a missing objective 0", () => {
    expect(Okr.scoreObjective(null)).toMatchObject({ score: 0, reasons: [{ code: "objective.missing", points: 100 }] });
  });

  it("names every reason with its cost and a suggestion", () => {
    const score = objective("Increase stuff and revenue and churn by 20%");
    for (const reason of score.reasons) {
      expect(reason.message.length).toBeGreaterThan(5);
      expect(reason.suggestion.length).toBeGreaterThan(5);
      expect(reason.points).toBe(Okr.criteria.find((c) => c.code === reason.code)?.points);
    }
    expect(score.score).toBe(Math.max(0, 100 - score.reasons.reduce((sum, r) => sum + r.points, 0)));
  });
});

describe("the rubric scores key results", () => {
  it("gives a measurable outcome with baseline and a plausible target full marks", () => {
    for (const k of strong.keyResults) expect(Okr.scoreKeyResult(k, strong.keyResults)).toEqual({ score: 100, reasons: [] });
  });

  it("flags a key result without a numeric target", () => {
    expect(codes(Okr.scoreKeyResult(kr({ statement: "Improve retention", metric: "retention", baseline: 20 })))).toEqual(["kr.not_measurable"]);
  });

  it("flags activities and output counts", () => {
    for (const statement of ["Launch the streaks feature", "Build a referral program", "Write 10 blog posts", "Hold 5 customer interviews", "Implement SSO"]) {
      expect(codes(Okr.scoreKeyResult(kr({ statement, metric: "things", baseline: 0, target: 1 })))).toContain("kr.activity_not_outcome");
    }
    expect(codes(Okr.scoreKeyResult(kr({ statement: "Reach 12 progress emails", metric: "progress emails sent", baseline: 0, target: 12 })))).toContain("kr.activity_not_outcome");
  });

  it("flags a missing baseline", () => {
    const score = Okr.scoreKeyResult(kr({ statement: "Grow weekly active users to 18,000", metric: "weekly active users", target: 18000 }));
    expect(score).toMatchObject({ score: 80, reasons: [{ code: "kr.no_baseline", points: 20 }] });
  });

  it("flags targets that do not move, move the wrong way, too little or implausibly far", () => {
    const score = (fields: Partial<KeyResult>) => codes(Okr.scoreKeyResult(kr({ statement: "Increase weekly active users", metric: "weekly active users", ...fields })));
    expect(score({ baseline: 100, target: 100 })).toEqual(["kr.no_change"]);
    expect(score({ baseline: 100, target: 90 })).toEqual(["kr.wrong_direction"]);
    expect(codes(Okr.scoreKeyResult(kr({ statement: "Reduce churn from 5% to 7%", metric: "churn", baseline: 5, target: 7, unit: "%" })))).toEqual(["kr.wrong_direction"]);
    expect(score({ baseline: 100, target: 102 })).toEqual(["kr.unambitious"]);
    expect(score({ baseline: 100, target: 1500 })).toEqual(["kr.implausible"]);
    expect(score({ baseline: 20, target: 90, unit: "%" })).toEqual(["kr.implausible"]);
    expect(score({ baseline: 20, target: 120, unit: "%" })).toEqual(["kr.implausible"]);
    expect(codes(Okr.scoreKeyResult(kr({ statement: "Reduce churn from 5% to 3%", metric: "churn", baseline: 5, target: 3, unit: "%" })))).toEqual([]);
  });

  it("flags a duplicate of an earlier key result, not the original", () => {
    const krs = [
      kr({ id: "kr1", statement: "Increase weekly active users from 12,000 to 18,000", metric: "weekly active users", baseline: 12000, target: 18000 }),
      kr({ id: "kr2", statement: "Grow WAU from 12k to 20k", metric: "WAU", baseline: 12000, target: 20000 }),
      kr({ id: "kr3", statement: "Increase weekly active users from 12,000 to 18,000 users", metric: "active weekly people", baseline: 12000, target: 18000 }),
    ];
    expect(codes(Okr.scoreKeyResult(krs[0]!, krs))).toEqual([]);
    expect(codes(Okr.scoreKeyResult(krs[1]!, krs))).toEqual(["kr.duplicate"]);
    expect(codes(Okr.scoreKeyResult(krs[2]!, krs))).toEqual(["kr.duplicate"]);
  });
});

describe("the rubric scores the set", () => {
  it("passes a strong set", () => {
    expect(Okr.scoreDraft(strong)).toMatchObject({ overall: 100, complete: true, passes: true });
  });

  it("is stable: the same draft always gets the same score", () => {
    expect(Okr.scoreDraft(structuredClone(strong))).toEqual(Okr.scoreDraft(strong));
  });

  it("is incomplete without an objective or with fewer than two key results", () => {
    expect(Okr.scoreDraft({ ...strong, objective: null })).toMatchObject({ complete: false, passes: false, overall: 60 });
    const one = Okr.scoreDraft({ ...strong, keyResults: strong.keyResults.slice(0, 1) });
    expect(one).toMatchObject({ complete: false, passes: false, overall: 70 });
    expect(Okr.scoreDraft(Okr.emptyDraft)).toMatchObject({ overall: 0, complete: false, passes: false });
  });

  it("does not let a strong key result carry one below the item floor", () => {
    const weak = kr({ id: "kr2", statement: "Send 12 progress emails", metric: "progress emails sent", target: 12 });
    const score = Okr.scoreDraft({ ...strong, keyResults: [strong.keyResults[0]!, weak] });
    expect(score.overall).toBeGreaterThanOrEqual(Okr.RUBRIC_THRESHOLD);
    expect(score.keyResults[1]!.score).toBeLessThan(Okr.RUBRIC_ITEM_FLOOR);
    expect(score.passes).toBe(false);
  });

  it("fails a set below the threshold", () => {
    const draft: OkrDraft = {
      objective: { statement: "Improve stuff" },
      keyResults: [kr({ id: "kr1", statement: "Launch the app", metric: "launch" }), kr({ id: "kr2", statement: "Write docs", metric: "docs" })],
    };
    const score = Okr.scoreDraft(draft);
    expect(score.complete).toBe(true);
    expect(score.overall).toBeLessThan(Okr.RUBRIC_THRESHOLD);
    expect(score.passes).toBe(false);
  });
});
