import { describe, expect, it } from "vitest";
import * as Okr from "../support/okr";
import type { KeyResult, OkrDraft, OkrState } from "../support/okr";

const goodObjective = { statement: "Make Habitly the app people open every week to keep their habits on track", timeframe: "this quarter" };
const wau: KeyResult = { id: "kr1", statement: "Increase weekly active users from 12,000 to 18,000", metric: "weekly active users", baseline: 12000, target: 18000 };
const retention: KeyResult = { id: "kr2", statement: "Increase 4-week retention from 22% to 35%", metric: "4-week retention", baseline: 22, target: 35, unit: "%" };
const emails: KeyResult = { id: "kr2", statement: "Send 12 progress emails", metric: "progress emails sent", target: 12 };
const passing: OkrDraft = { objective: goodObjective, keyResults: [wau, retention] };

const at = (phase: Okr.Phase, draft: OkrDraft = Okr.emptyDraft, draftVersion = 1): OkrState => ({ phase, draft, draftVersion });
const update = (state: OkrState, draft: OkrDraft) => Okr.reduce(state, { type: "draft_updated", draft });
const moves = (effects: Okr.OkrEffect[]) => effects.map((e) => (e.type === "phase_transition" ? `${e.from}->${e.to}:${e.by}` : `rejected:${e.to}`));

describe("the OKR flow", () => {
  it("starts in discovery with an empty draft", () => {
    expect(Okr.initialState()).toEqual({ phase: "discovery", draft: { objective: null, keyResults: [] }, draftVersion: 0 });
    expect(Okr.OkrState.parse(Okr.initialState())).toEqual(Okr.initialState());
  });

  it("describes every phase with a goal, an exit criterion and questions", () => {
    expect(Okr.phases).toEqual(["discovery", "refinement", "kr_discovery", "validation", "complete"]);
    for (const phase of Okr.phases) {
      expect(Okr.phaseInfo[phase].goal).not.toBe("");
      expect(Okr.phaseInfo[phase].exitCriterion).not.toBe("");
      expect(Okr.phaseInfo[phase].questions.length).toBeGreaterThan(0);
    }
  });

  it("moves from discovery to refinement once there is an objective, and bumps the version", () => {
    const step = update(at("discovery", Okr.emptyDraft, 0), { objective: { statement: "Grow our weekly active users" }, keyResults: [] });
    expect(step.state).toMatchObject({ phase: "refinement", draftVersion: 1 });
    expect(moves(step.effects)).toEqual(["discovery->refinement:rule"]);
    expect(step.effects[0]).toMatchObject({ reason: expect.stringContaining("objective") });
  });

  it("stays in refinement until the objective clears the threshold", () => {
    const weak = update(at("refinement"), { objective: { statement: "Grow our weekly active users", timeframe: "Q2" }, keyResults: [] });
    expect(weak.state.phase).toBe("refinement");
    expect(weak.effects).toEqual([]);
    const strong = update(weak.state, { objective: goodObjective, keyResults: [] });
    expect(moves(strong.effects)).toEqual(["refinement->kr_discovery:rule"]);
  });

  it("needs two measurable key results to reach validation, and a passing set to complete", () => {
    const one = update(at("kr_discovery", { objective: goodObjective, keyResults: [] }), { objective: goodObjective, keyResults: [wau] });
    expect(one.state.phase).toBe("kr_discovery");
    const weakSet = update(one.state, { objective: goodObjective, keyResults: [wau, emails] });
    expect(moves(weakSet.effects)).toEqual(["kr_discovery->validation:rule"]);
    const fixed = update(weakSet.state, passing);
    expect(moves(fixed.effects)).toEqual([]);
    expect(fixed.state).toMatchObject({ phase: "validation", draftVersion: 4 });
    const confirmed = Okr.reduce(fixed.state, { type: "transition_requested", to: "complete", by: "assistant" });
    expect(moves(confirmed.effects)).toEqual(["validation->complete:assistant"]);
    expect(confirmed.state).toMatchObject({ phase: "complete", draftVersion: 4 });
  });

  it("chains through every phase whose criterion already holds, recording each", () => {
    const step = update(at("discovery", Okr.emptyDraft, 0), passing);
    expect(moves(step.effects)).toEqual(["discovery->refinement:rule", "refinement->kr_discovery:rule", "kr_discovery->validation:rule"]);
    expect(step.state).toMatchObject({ phase: "validation", draftVersion: 1 });
  });

  it("does not bump the version for an unchanged draft", () => {
    const state = at("kr_discovery", { objective: goodObjective, keyResults: [wau] }, 3);
    expect(update(state, structuredClone(state.draft))).toEqual({ state, effects: [] });
  });

  it("goes back to validation when a completed set stops passing", () => {
    const step = update(at("complete", passing), { objective: goodObjective, keyResults: [wau, emails] });
    expect(moves(step.effects)).toEqual(["complete->validation:rule"]);
  });

  it("lets the user force a transition to any other phase, backwards included", () => {
    const state = at("kr_discovery", { objective: goodObjective, keyResults: [] });
    expect(Okr.canTransition(state, "refinement")).toEqual({ ok: true });
    expect(Okr.canTransition(state, "validation")).toEqual({ ok: true });
    const step = Okr.reduce(state, { type: "transition_requested", to: "discovery", by: "user" });
    expect(step.state.phase).toBe("discovery");
    expect(step.effects).toEqual([{ type: "phase_transition", from: "kr_discovery", to: "discovery", by: "user", reason: "Requested by the user." }]);
  });

  it("refuses unknown phases, the current phase, and complete until the rubric passes", () => {
    const state = at("validation", { objective: goodObjective, keyResults: [wau, emails] });
    expect(Okr.canTransition(state, "done")).toMatchObject({ ok: false, reason: expect.stringContaining("not a phase") });
    expect(Okr.canTransition(state, "validation")).toMatchObject({ ok: false, reason: expect.stringContaining("already") });
    expect(Okr.canTransition(state, "complete")).toMatchObject({ ok: false, reason: expect.stringContaining("does not pass") });
    expect(Okr.canTransition(at("discovery"), "complete")).toMatchObject({ ok: false, reason: expect.stringContaining("2–5 key results") });
    const step = Okr.reduce(state, { type: "transition_requested", to: "complete", by: "user" });
    expect(step.state).toBe(state);
    expect(moves(step.effects)).toEqual(["rejected:complete"]);
    expect(Okr.canTransition(at("validation", passing), "complete")).toEqual({ ok: true });
  });

  it("does not let the coach skip a gate, but lets it go back", () => {
    const state = at("refinement", { objective: { statement: "Improve stuff" }, keyResults: [] });
    expect(Okr.canTransition(state, "kr_discovery", "assistant")).toMatchObject({ ok: false, reason: expect.stringContaining("refinement") });
    expect(Okr.canTransition(state, "kr_discovery", "user")).toEqual({ ok: true });
    expect(Okr.canTransition(state, "discovery", "assistant")).toEqual({ ok: true });
  });
});
