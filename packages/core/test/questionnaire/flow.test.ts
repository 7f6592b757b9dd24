import { describe, expect, it } from "vitest";
import type { Template } from "../../src/template/schema";
import { parseAnswer, parseDate, renderDocument } from "../../src/questionnaire";
import { startQuestionnaire, type QuestionnaireState } from "../../src/questionnaire/state";
import { applyTool, turn, COMPLETE_TEXT, GO_BACK, RECORD_ANSWER, SKIP_QUESTION } from "../../src/questionnaire/turn";
import { questionnaire } from "../../src/questionnaire/flow";

const template: Template = {
  id: "project-brief",
  version: 3,
  title: "Project brief",
  description: "",
  createdAt: "2026-12-01T00:00:00.000Z",
  questions: [
    { id: "name", text: "What is the project called?", kind: "text", required: true },
    { id: "start", text: "When does it start?", kind: "date", required: true },
    { id: "budget", text: "What is the budget in euros?", kind: "number", required: false },
    { id: "size", text: "How big is the team?", kind: "choice", required: true, options: ["Small", "Medium", "Large"] },
    { id: "contact", text: "Who is the contact (email)?", kind: "email", required: true },
  ],
  document: { title: "Project brief", body: "# {{name}}\n\nStarts {{start}}; budget {{budget}}; team {{size}}; contact {{contact}}." },
};

/** What the offline stand-in does with a user's message, applied as the turn would apply its tool calls. */
function say(state: QuestionnaireState, content: string) {
  const reply = turn.standIn!(state)({ messages: [{ role: "user", content }], today: "2026-12-01" });
  let next = state;
  const effects = [];
  for (const call of reply.toolCalls) {
    const outcome = applyTool(next, call);
    next = outcome.state;
    effects.push(...outcome.effects);
  }
  return { text: reply.text, state: next, effects };
}

describe("answers, taken literally by their kind", () => {
  const q = (kind: Template["questions"][number]["kind"], options?: string[]) => ({ id: "q", text: "?", kind, required: true, ...(options ? { options } : {}) });
  it("reads numbers with thousands separators, and refuses words", () => {
    expect(parseAnswer(q("number"), "12,000")).toEqual({ ok: true, value: 12000 });
    expect(parseAnswer(q("number"), " 3.5 ")).toEqual({ ok: true, value: 3.5 });
    expect(parseAnswer(q("number"), "about twelve")).toMatchObject({ ok: false });
  });
  it("reads dates in the usual spellings, as YYYY-MM-DD, and refuses days that do not exist", () => {
    expect(parseDate("2026-05-03")).toBe("2026-05-03");
    expect(parseDate("3rd of May 2026")).toBe("2026-05-03");
    expect(parseDate("May 3, 2026")).toBe("2026-05-03");
    expect(parseDate("2026-02-31")).toBeUndefined();
    expect(parseAnswer(q("date"), "next week")).toMatchObject({ ok: false, error: expect.stringContaining("not a date") });
  });
  it("takes a choice by its words (any case) or its number, and an email only if it is one", () => {
    expect(parseAnswer(q("choice", ["Small", "Large"]), "large")).toEqual({ ok: true, value: "Large" });
    expect(parseAnswer(q("choice", ["Small", "Large"]), "1")).toEqual({ ok: true, value: "Small" });
    expect(parseAnswer(q("choice", ["Small", "Large"]), "huge")).toMatchObject({ ok: false, error: "Choose one of: Small, Large" });
    expect(parseAnswer(q("email"), "ada@example.com")).toEqual({ ok: true, value: "ada@example.com" });
    expect(parseAnswer(q("email"), "ada at example")).toMatchObject({ ok: false });
    expect(parseAnswer(q("text"), "   ")).toMatchObject({ ok: false });
  });
});

describe("the questionnaire flow, offline", () => {
  it("asks each question in turn, re-asks an invalid answer with why, skips an optional one, goes back, and completes with the document", () => {
    let state = startQuestionnaire(template);
    expect(questionnaire.phaseOf(state)).toBe("answering");

    let step = say(state, "Apollo");
    expect(step.effects).toEqual([{ type: "next_question", question: expect.objectContaining({ id: "start", kind: "date" }), progress: { answered: 1, total: 5 } }]);
    expect(step.text).toBe("When does it start?");
    state = step.state;

    step = say(state, "soon-ish");
    expect(step.effects).toEqual([expect.objectContaining({ type: "next_question", question: expect.objectContaining({ id: "start" }), error: expect.stringContaining("not a date") })]);
    expect(step.state.answers).toEqual({ name: "Apollo" });
    state = step.state;

    state = say(state, "3 May 2026").state;
    step = say(state, "skip");
    expect(step.state.skipped).toEqual(["budget"]);
    expect(step.effects[0]).toMatchObject({ type: "next_question", question: { id: "size", options: ["Small", "Medium", "Large"] }, progress: { answered: 3, total: 5 } });
    state = step.state;

    // A required question cannot be skipped.
    step = say(state, "skip");
    expect(step.effects[0]).toMatchObject({ type: "next_question", question: { id: "size" }, error: expect.stringContaining("required") });
    state = say(step.state, "2").state;

    // Go back to the start date, change it; the questionnaire continues where it was.
    step = say(state, "go back to the start");
    expect(step.effects[0]).toMatchObject({ type: "next_question", question: { id: "start" } });
    state = say(step.state, "2026-06-01").state;
    expect(state.current).toBe("contact");

    step = say(state, "lead@example.com");
    expect(step.text).toBe(COMPLETE_TEXT);
    expect(questionnaire.phaseOf(step.state)).toBe("complete");
    expect(step.effects).toEqual([
      { type: "phase_transition", from: "answering", to: "complete", by: "rule", reason: expect.any(String) },
      { type: "document_ready", title: "Project brief", markdown: "# Apollo\n\nStarts 2026-06-01; budget —; team Medium; contact lead@example.com.", templateId: "project-brief", templateVersion: 3 },
    ]);
  });

  it("stores only validated answers, whoever calls the tool, and refuses unknown questions", () => {
    const state = startQuestionnaire(template);
    const bad = applyTool(state, { name: RECORD_ANSWER, input: { questionId: "contact", answer: "nobody" } });
    expect(bad.state.answers).toEqual({});
    expect(bad.result).toMatch(/^Not stored/);
    expect(applyTool(state, { name: SKIP_QUESTION, input: { questionId: "nope" } }).result).toContain('no question "nope"');
    expect(applyTool(state, { name: GO_BACK, input: { questionId: "budget" } }).state.current).toBe("budget");
  });

  it("escapes Markdown in answers, so an answer cannot add structure to the document", () => {
    expect(renderDocument(template, { name: "# Big | *bold*", start: "2026-01-01", size: "Small", contact: "a@b.co" }).markdown).toContain("# \\# Big \\| \\*bold\\*");
  });

  it("reads a command only as a whole message, and an option of a choice as the answer even when it reads like one", () => {
    const choices: Template = { ...template, questions: [{ id: "team", text: "Which team?", kind: "choice", required: true, options: ["Back office", "Skip level"] }, template.questions[4]!] };
    let state = startQuestionnaire(choices);
    expect(say(state, "back office").state.answers).toEqual({ team: "Back office" });
    expect(say(state, "Skip level").state.answers).toEqual({ team: "Skip level" });
    state = say(state, "2").state;
    // On a text-like question, "back pain" is an answer, "back" alone goes back.
    const texts: Template = { ...template, questions: [template.questions[0]!, { id: "why", text: "Why?", kind: "text", required: false }] };
    let t = say(startQuestionnaire(texts), "Apollo").state;
    expect(say(t, "back pain").state.answers).toMatchObject({ why: "back pain" });
    expect(say(t, "back").state.current).toBe("name");
    expect(say(t, "skip this one").state.skipped).toEqual(["why"]);
    expect(say(t, "skipping lunch").state.answers).toMatchObject({ why: "skipping lunch" });
    t = say(t, "go back to 1").state;
    expect(t.current).toBe("name");
  });

  it("refuses a forced phase: it moves on by its answers", () => {
    const { effects } = questionnaire.onTransitionRequest(startQuestionnaire(template), "complete", "user");
    expect(effects).toEqual([{ type: "transition_rejected", to: "complete", reason: expect.any(String) }]);
  });
});
