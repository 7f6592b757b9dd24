import { describe, expect, it } from "vitest";
import * as Okr from "../support/okr";
import type { OkrEffect, OkrState } from "../support/okr";

const today = "2026-04-15";

/** Runs user messages through the offline coach the way the turn does: reply, then its tool calls in order, then the history. */
function converse(messages: readonly string[], from: OkrState = Okr.initialState(), context = { today }) {
  let state = from;
  const history: { role: "user" | "assistant"; content: string }[] = [];
  const turns: { reply: string; phase: string; effects: OkrEffect[] }[] = [];
  for (const message of messages) {
    const reply = Okr.offlineReply(state, message, history, { today: context.today });
    const effects: OkrEffect[] = [];
    for (const call of reply.toolCalls) {
      const outcome = Okr.applyTool(state, call);
      state = outcome.state;
      effects.push(...outcome.effects);
    }
    history.push({ role: "user", content: message }, { role: "assistant", content: reply.text });
    turns.push({ reply: reply.text, phase: state.phase, effects });
  }
  return { state, turns, replies: turns.map((t) => t.reply) };
}

const withObjective = (statement: string, timeframe = "this quarter"): OkrState => ({
  phase: "kr_discovery",
  draft: { objective: { statement, timeframe }, keyResults: [] },
  draftVersion: 1,
});

const transitions = (effects: readonly OkrEffect[]) =>
  effects.flatMap((e) => (e.type === "phase_transition" ? [`${e.from}->${e.to}`] : []));

describe("the offline coach coaches the way a person would talk", () => {
  it("asks someone listing key results one after another to confirm the set, instead of declaring it complete after the second", () => {
    const { state, turns } = converse(
      [
        "First: increase weekly active users from 12,000 to 18,000.",
        "Second: grow NPS from 30 to 45.",
        "Third: reduce churn from 5% to 3%.",
        "That's the set.",
      ],
      withObjective("Make Habitly the app people open every week to keep their habits on track"),
    );

    expect(turns.map((t) => t.phase)).toEqual(["kr_discovery", "validation", "validation", "complete"]);
    const [, second, third, confirmed] = turns;
    expect(second!.reply).not.toMatch(/complete/i);
    expect(second!.reply).toMatch(/Is this the set you want to commit to\?/);
    expect(third!.reply).toMatch(/I've added “Reduce churn from 5% to 3%/);
    expect(third!.reply).not.toMatch(/complete/i);
    expect(confirmed!.reply).toMatch(/your OKRs are complete!/);
    expect(state.draft.keyResults.map((kr) => kr.id)).toEqual(["kr1", "kr2", "kr3"]);
    expect(transitions(confirmed!.effects)).toEqual(["validation->complete"]);
    expect(confirmed!.effects[0]).toMatchObject({ by: "assistant", reason: expect.stringMatching(/confirmed/) });
  });

  it("keeps the person's own name for a metric: “net revenue retention” stays net revenue retention", () => {
    const { state, replies } = converse(
      ["Increase net revenue retention from 104% to 112% by the end of June.", "And our 4-week retention should go from 22% to 30%."],
      withObjective("Make agencies rely on us every week"),
    );

    expect(state.draft.keyResults.map((kr) => kr.metric)).toEqual(["net revenue retention", "4-week retention"]);
    expect(replies[0]).toContain("“Increase net revenue retention from 104% to 112% by June 30, 2026”");
    expect(replies.join("\n")).not.toMatch(/retention rate/);
  });

  it("finds a percentage above 100 plausible for metrics that can exceed 100 % (retention of revenue, growth, attainment), and only for those", () => {
    const { state } = converse(
      ["Increase net revenue retention from 104% to 112%. Grow quota attainment from 85% to 110%."],
      withObjective("Make agencies rely on us every week"),
    );
    const score = Okr.scoreDraft(state.draft);
    expect(score.keyResults.flatMap((kr) => kr.reasons.map((r) => r.code))).not.toContain("kr.implausible");

    const codes = (statement: string, metric: string, baseline: number, target: number) =>
      Okr.scoreKeyResult({ id: "kr1", statement, metric, baseline, target, unit: "%" }).reasons.map((r) => r.code);
    expect(codes("Increase revenue growth from 40% to 75%", "revenue growth", 40, 75)).toEqual([]);
    expect(codes("Increase revenue growth from 60% to 108%", "revenue growth", 60, 108)).toEqual([]);
    expect(codes("Increase revenue growth from -5% to 10%", "revenue growth", -5, 10)).toEqual([]);
    expect(codes("Increase user retention from 90% to 104%", "user retention", 90, 104)).toEqual(["kr.implausible"]);
    expect(codes("Increase gross revenue retention from 92% to 105%", "gross revenue retention", 92, 105)).toEqual(["kr.implausible"]);
    expect(codes("Increase the share of customers on the growth plan from 60% to 104%", "share of customers on the growth plan", 60, 104)).toEqual(["kr.implausible"]);
    expect(codes("Increase net revenue retention from 100% to 160%", "net revenue retention", 100, 160)).toEqual(["kr.implausible"]);
  });

  it("takes an outcome stated in prose as a draft objective instead of asking the same question again", () => {
    const { state, replies } = converse(["Hi, I'd like some help with our OKRs.", "We want agencies to rely on us every week."]);

    expect(state.draft.objective).toMatchObject({ statement: "Agencies rely on us every week" });
    expect(replies[1]).toContain("I've drafted your objective as “Agencies rely on us every week”");
    const firstQuestion = replies[0]!.split("\n\n").at(-1)!;
    expect(replies[1]!.split("\n\n").at(-1)).not.toBe(firstQuestion);
  });

  it("never sends the same reply twice in a row, whatever the person repeats", () => {
    const stuck = converse(["Hmm, not sure.", "Hmm, not sure.", "Hmm, not sure.", "Hmm, not sure."], withObjective("Make onboarding effortless for new teams"));
    const discovering = converse(["Hello.", "Hello.", "Hello.", "Hello."]);
    const done = converse(
      ["Reduce churn from 5% to 3%. Increase NPS from 30 to 45. That's the set.", "Thanks!", "Thanks!", "Thanks!"],
      withObjective("Make support effortless for our customers", "Q3 2026"),
    );

    expect(done.state.phase).toBe("complete");
    for (const { replies } of [stuck, discovering, done]) {
      replies.slice(1).forEach((reply, i) => expect(reply, `reply ${i + 2}`).not.toBe(replies[i]));
    }
  });

  it("records phase transitions in the order they happened, several in one turn included", () => {
    const oneTurn = converse(["Reduce churn from 5% to 3%. Increase NPS from 30 to 45 by September 15. That's the set."], withObjective("Make support effortless for our customers", "Q3 2026"));
    expect(transitions(oneTurn.turns[0]!.effects)).toEqual(["kr_discovery->validation", "validation->complete"]);

    const chained = Okr.reduce(Okr.initialState(), {
      type: "draft_updated",
      draft: {
        objective: { statement: "Make support effortless for our customers", timeframe: "Q3 2026" },
        keyResults: [
          { id: "kr1", statement: "Reduce churn from 5% to 3%", metric: "churn", baseline: 5, target: 3, unit: "%" },
          { id: "kr2", statement: "Increase NPS from 30 to 45", metric: "NPS", baseline: 30, target: 45 },
        ],
      },
    });
    expect(transitions(chained.effects)).toEqual(["discovery->refinement", "refinement->kr_discovery", "kr_discovery->validation"]);

    const { turns } = converse(Okr.sampleUserMessages, Okr.initialState(), { today: Okr.sampleToday });
    const moves = turns.flatMap((t) => t.effects).filter((e) => e.type === "phase_transition");
    moves.slice(1).forEach((move, i) => expect(move.from).toBe(moves[i]!.to));
    expect(moves.at(-1)?.to).toBe("complete");
  });
});
