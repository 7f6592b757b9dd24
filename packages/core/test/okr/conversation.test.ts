import { describe, expect, it } from "vitest";
import * as Okr from "../support/okr";
import type { OkrState } from "../support/okr";

const today = Okr.sampleToday;

/** Runs user messages through the offline coach the way the turn does, from `state`. */
function converse(messages: readonly string[], from: OkrState = Okr.okrFlow.initialState()) {
  let state = from;
  const history: { role: "user" | "assistant"; content: string }[] = [];
  const replies: string[] = [];
  for (const message of messages) {
    const reply = Okr.okrFlow.offlineReply(state, message, history, { today });
    for (const call of reply.toolCalls) state = Okr.okrFlow.applyTool(state, call).state;
    history.push({ role: "user", content: message }, { role: "assistant", content: reply.text });
    replies.push(reply.text);
  }
  return { state, replies };
}

describe("a scripted conversation with the offline coach", () => {
  const { turns, state } = Okr.simulateConversation(Okr.okrFlow, Okr.sampleUserMessages, { today });
  const score = Okr.scoreDraft(state.draft);

  it("reaches a complete OKR set that passes the rubric in at most 12 user messages", () => {
    expect(Okr.sampleUserMessages.length).toBeLessThanOrEqual(12);
    expect(state.phase).toBe("complete");
    expect(score).toMatchObject({ complete: true, passes: true });
    expect(score.overall).toBeGreaterThanOrEqual(Okr.RUBRIC_THRESHOLD);
    expect(state.draft.keyResults.length).toBeGreaterThanOrEqual(2);
    expect(state.draft.keyResults.length).toBeLessThanOrEqual(5);
  });

  it("walks every phase in order, driven by the rubric", () => {
    expect(turns.map((t) => t.phase)).toEqual(["discovery", "refinement", "kr_discovery", "kr_discovery", "kr_discovery", "validation", "validation", "complete"]);
    const transitions = turns.flatMap((t) => t.effects).filter((e) => e.type === "phase_transition");
    expect(transitions.map((e) => [e.from, e.to, e.by])).toEqual([
      ["discovery", "refinement", "rule"],
      ["refinement", "kr_discovery", "rule"],
      ["kr_discovery", "validation", "rule"],
      ["validation", "complete", "assistant"],
    ]);
  });

  it("drafts from the user's own words: metrics, baselines, targets, units and dates", () => {
    expect(state.draft.objective).toEqual({ statement: "Make Habitly the app people open every week to keep their habits on track", timeframe: "this quarter" });
    expect(state.draft.keyResults).toEqual([
      expect.objectContaining({ id: "kr1", metric: "weekly active users", baseline: 12000, target: 18000, unit: "users", dueDate: "2026-06-30" }),
      expect.objectContaining({ id: "kr2", baseline: 22, target: 35, unit: "%", dueDate: "2026-06-30" }),
    ]);
  });

  it("coaches: explains weak points with suggestions and asks the phase's questions", () => {
    expect(turns[0]!.coach).toMatch(/OKR coach/);
    expect(turns[0]!.coach).toContain(Okr.phaseInfo.discovery.questions[0]);
    expect(turns[1]!.coach).toMatch(/reads like a metric/);
    expect(turns[1]!.coach).toMatch(/65\/100/);
    expect(turns[3]!.coach).toMatch(/no baseline/);
    expect(turns[3]!.coach).toMatch(/today's number for weekly active users/);
    expect(turns[5]!.coach).toMatch(/activity/);
    expect(turns[6]!.coach).toMatch(/Is this the set you want/);
    expect(turns[7]!.coach).toMatch(/complete/);
    for (const turn of turns) {
      expect(turn.coach).not.toMatch(/[{}]|undefined|NaN|\bnull\b/);
      expect(turn.coach).not.toContain(turn.user);
    }
  });

  it("changes the draft only through validated tool calls", () => {
    const calls = turns.flatMap((t) => t.toolCalls);
    const updates = calls.filter((c) => c.name === "update_okr_draft");
    expect(calls.filter((c) => c.name !== "update_okr_draft")).toEqual([expect.objectContaining({ name: "propose_phase_transition", input: expect.objectContaining({ to: "complete" }) })]);
    for (const call of updates) expect(Okr.DraftUpdate.safeParse(call.input).success).toBe(true);
    for (const call of calls.filter((c) => c.name === "propose_phase_transition")) expect(Okr.ProposeTransition.safeParse(call.input).success).toBe(true);
    expect(state.draftVersion).toBe(updates.length);
  });

  it("is deterministic", () => {
    const again = Okr.simulateConversation(Okr.okrFlow, Okr.sampleUserMessages, { today });
    expect(again.turns.map((t) => t.coach)).toEqual(turns.map((t) => t.coach));
    expect(converse(Okr.sampleUserMessages).replies).toEqual(turns.map((t) => t.coach));
  });

  it("renders a Markdown transcript", () => {
    const markdown = Okr.transcriptMarkdown(turns);
    expect(markdown).toContain("**User 1:**");
    expect(markdown).toContain("> Here's your OKR set:");
  });
});

describe("the offline coach", () => {
  it("pushes back on an activity instead of drafting it as a key result", () => {
    const start: OkrState = {
      phase: "kr_discovery",
      draft: { objective: { statement: "Make onboarding effortless for new teams", timeframe: "Q3" }, keyResults: [] },
      draftVersion: 1,
    };
    const reply = Okr.okrFlow.offlineReply(start, "We should launch a streak feature and send a weekly email.", [], { today });
    expect(reply.toolCalls).toEqual([]);
    expect(reply.text).toMatch(/“Launch a streak feature and send a weekly email” sounds like a useful initiative, but it's an activity/);
  });

  it("reads several key results from one message, with from–to values and decreases", () => {
    const start: OkrState = {
      phase: "kr_discovery",
      draft: { objective: { statement: "Make support effortless for our customers", timeframe: "Q3 2026" }, keyResults: [] },
      draftVersion: 1,
    };
    const { state } = converse(["Reduce churn from 5% to 3%. Increase NPS from 30 to 45 by September 15."], start);
    expect(state.draft.keyResults).toEqual([
      expect.objectContaining({ metric: "churn", baseline: 5, target: 3, unit: "%", dueDate: "2026-09-30" }),
      expect.objectContaining({ metric: "NPS", baseline: 30, target: 45, dueDate: "2026-09-15" }),
    ]);
    expect(state.phase).toBe("validation");
  });

  it("goes back to the objective when asked, and the flow records it", () => {
    const { state } = Okr.simulateConversation(Okr.okrFlow, Okr.sampleUserMessages.slice(0, 5), { today });
    const reply = Okr.okrFlow.offlineReply(state, "Actually, can we go back to the objective?", [], { today });
    expect(reply.toolCalls).toEqual([{ name: "propose_phase_transition", input: { to: "refinement", reason: expect.any(String) } }]);
    const after = Okr.okrFlow.applyTool(state, reply.toolCalls[0]!);
    expect(after.state.phase).toBe("refinement");
    expect(reply.text).toMatch(/go back to the objective/);
  });

  it("refuses to move on past a gate that does not hold, and says why", () => {
    const reply = Okr.okrFlow.offlineReply(Okr.okrFlow.initialState(), "Let's move on.", [{ role: "assistant", content: "Hi" }], { today });
    expect(reply.toolCalls).toEqual([]);
    expect(reply.text).toMatch(/can't move on just yet/);
  });
});

describe("extraction", () => {
  it("finds values, not dates, years, quarters or durations", () => {
    expect(Okr.findNumbers("Grow from 12k to 18,000 users by June 30 2026 in Q3, after 4 weeks").map((n) => n.value)).toEqual([12000, 18000]);
    expect(Okr.extractValues("increase activation from 20% to 35%")).toEqual({ baseline: 20, target: 35, unit: "%" });
    expect(Okr.extractValues("we're at $1.2k MRR today and want $2,000")).toEqual({ baseline: 1200, target: 2000, unit: "$" });
    expect(Okr.extractValues("Right now it's about 12,000.")).toEqual({ baseline: 12000 });
  });

  it("resolves due dates from today, without reading the clock", () => {
    expect(Okr.resolveDueDate("by June 30", "2026-04-15")).toBe("2026-06-30");
    expect(Okr.resolveDueDate("by March 1", "2026-04-15")).toBe("2027-03-01");
    expect(Okr.resolveDueDate("by the end of the quarter", "2026-04-15")).toBe("2026-06-30");
    expect(Okr.resolveDueDate("end of Q3", "2026-04-15")).toBe("2026-09-30");
    expect(Okr.resolveDueDate("by end of year", "2026-04-15")).toBe("2026-12-31");
    expect(Okr.resolveDueDate("by 2026-08-01")).toBe("2026-08-01");
    expect(Okr.resolveDueDate("by June 30")).toBeUndefined();
  });

  it("finds the objective in what the user wants", () => {
    expect(Okr.extractObjective("Honestly, our goal is to become the go-to tool for small teams by the end of Q3.")).toEqual({
      statement: "Become the go-to tool for small teams",
      timeframe: "end of Q3",
    });
    expect(Okr.extractObjective("I need help with our OKRs.")).toBeUndefined();
  });
});

describe("the offline coach while refining the objective", () => {
  it("keeps a better objective when the user answers with numbers, and says they belong in a key result", () => {
    const refining: Okr.OkrState = {
      phase: "refinement",
      draft: { objective: { statement: "Grow our weekly active users", timeframe: "this quarter" }, keyResults: [] },
      draftVersion: 1,
    };
    const reply = Okr.okrFlow.offlineReply(refining, "Right now it's about 12,000 and I'd love to reach 18,000 by June 30.", [], { today: Okr.sampleToday });
    expect(reply.toolCalls).toEqual([]);
    expect(reply.text).toContain("I've kept the objective as “Grow our weekly active users”");
  });
});
