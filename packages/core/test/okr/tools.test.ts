import { describe, expect, it } from "vitest";
import { VisibleError } from "@coach/core/error";
import * as Okr from "../support/okr";

const tool = (name: string) => Okr.okrFlow.tools.find((t) => t.name === name)!;

describe("the OKR flow's tools", () => {
  it("offers update_okr_draft and propose_phase_transition with JSON Schemas for the model", () => {
    expect(Okr.okrFlow.tools.map((t) => t.name)).toEqual(["update_okr_draft", "propose_phase_transition"]);
    for (const t of Okr.okrFlow.tools) {
      expect(t.inputSchema).toMatchObject({ type: "object", properties: expect.any(Object) });
      expect(t.inputSchema).not.toHaveProperty("$schema");
      expect(JSON.parse(JSON.stringify(t.inputSchema))).toEqual(t.inputSchema);
      expect(t.description.length).toBeGreaterThan(20);
    }
    const update = tool("update_okr_draft").inputSchema as { properties: Record<string, { anyOf?: unknown[]; items?: { properties: Record<string, unknown> } }> };
    expect(Object.keys(update.properties)).toEqual(["objective", "upsertKeyResults", "removeKeyResults"]);
    expect(update.properties.upsertKeyResults?.items?.properties).toHaveProperty("target");
    expect(tool("propose_phase_transition").inputSchema).toMatchObject({
      properties: { to: { enum: [...Okr.phases] }, reason: { type: "string" } },
      required: ["to", "reason"],
    });
    expect(Okr.providerTools(Okr.okrFlow)).toEqual(Okr.okrFlow.tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema })));
  });

  it("applies a draft update, moves phases by rule and reads the rubric back", () => {
    const outcome = Okr.okrFlow.applyTool(Okr.okrFlow.initialState(), {
      name: "update_okr_draft",
      input: { objective: { statement: "Make onboarding effortless for new teams", timeframe: "Q3" } },
    });
    expect(outcome.state).toMatchObject({ phase: "kr_discovery", draftVersion: 1 });
    expect(outcome.effects).toHaveLength(2);
    expect(outcome.result).toMatch(/Saved draft version 1/);
    expect(outcome.result).toMatch(/objective 100\/100/);
  });

  it("rejects invalid input with a visible error and leaves the state alone", () => {
    const state = Okr.okrFlow.initialState();
    const attempt = (call: { name: string; input: unknown }) => {
      try {
        Okr.okrFlow.applyTool(state, call);
      } catch (error) {
        return error instanceof VisibleError ? error.code : "unexpected";
      }
      return "accepted";
    };
    expect(attempt({ name: "update_okr_draft", input: { upsertKeyResults: [{ statement: "x", metric: "y", target: "ten" }] } })).toBe("okr.invalid_update");
    expect(attempt({ name: "propose_phase_transition", input: { to: "finished", reason: "done" } })).toBe("okr.invalid_transition");
    expect(attempt({ name: "delete_everything", input: {} })).toBe("okr.unknown_tool");
    expect(state).toEqual(Okr.initialState());
  });

  it("records a refused proposal as an effect the model reads about", () => {
    const outcome = Okr.okrFlow.applyTool(Okr.okrFlow.initialState(), { name: "propose_phase_transition", input: { to: "complete", reason: "Looks done" } });
    expect(outcome.state.phase).toBe("discovery");
    expect(outcome.effects).toEqual([{ type: "transition_rejected", to: "complete", reason: expect.any(String) }]);
    expect(outcome.result).toMatch(/rejected/);
  });

  it("handles forced transitions from the route", () => {
    const { state, effects } = Okr.okrFlow.onTransitionRequest(Okr.okrFlow.initialState(), "kr_discovery", "user");
    expect(state.phase).toBe("kr_discovery");
    expect(effects).toEqual([expect.objectContaining({ type: "phase_transition", by: "user" })]);
  });

  it("builds a cacheable stable prompt per phase and a dynamic one with the draft and scores", () => {
    const state = { ...Okr.initialState(), phase: "kr_discovery" as const };
    const prompt = Okr.okrFlow.systemPrompt(state);
    expect(prompt.stable).toBe(Okr.okrFlow.systemPrompt({ ...state, draftVersion: 9 }).stable);
    expect(prompt.stable).toContain("kr.activity_not_outcome");
    expect(prompt.stable).toContain("update_okr_draft");
    expect(prompt.stable).toContain(Okr.phaseInfo.kr_discovery.exitCriterion);
    expect(prompt.dynamic).toContain('"keyResults":[]');
    expect(prompt.dynamic).toContain("objective 0/100");
    expect(Okr.okrFlow.systemPrompt(Okr.initialState()).stable).not.toBe(prompt.stable);
  });
});
