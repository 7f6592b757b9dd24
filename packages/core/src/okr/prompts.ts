import type { OkrDraft } from "./machine/draft";
import { MAX_KEY_RESULTS, MIN_KEY_RESULTS } from "./machine/draft";
import type { OkrState } from "./machine/machine";
import { phaseInfo, phases, type Phase } from "./machine/phases";
import { RUBRIC_ITEM_FLOOR, RUBRIC_THRESHOLD, keyResultCriteria, objectiveCriteria, scoreDraft, type DraftScore } from "./machine/rubric";

const method = `An OKR set is one objective and ${MIN_KEY_RESULTS}–${MAX_KEY_RESULTS} key results.
- The objective is qualitative and inspiring: one focus, time-bound, no numbers — where we want to go and why it matters.
- Each key result is a measurable outcome that proves the objective was reached: a metric, a baseline (today's value), a target and, where known, a due date. Activities ("launch", "build", "write") are how you get there, not key results.`;

const criteriaText = [
  "Objective (starts at 100):",
  ...objectiveCriteria.filter((c) => c.code !== "objective.missing").map((c) => `- ${c.code} (−${c.points}): ${c.description}`),
  "Key result (starts at 100):",
  ...keyResultCriteria.map((c) => `- ${c.code} (−${c.points}): ${c.description}`),
  `Overall = 40% objective + 60% mean key-result score (at least two slots). The set passes at ${RUBRIC_THRESHOLD}+ with ${MIN_KEY_RESULTS}–${MAX_KEY_RESULTS} key results and no item below ${RUBRIC_ITEM_FLOOR}.`,
].join("\n");

const toolsText = `Tools:
- update_okr_draft: the only way to change the draft. Set or replace the objective; add key results (omit the id) or change them by id (omitted fields stay, null clears one); remove them by id. Numbers are JSON numbers (12000, not "12k"); dates are YYYY-MM-DD. Call it whenever the user gives you something that belongs in the draft. The result tells you the new rubric scores, or why the update was rejected (then nothing changed: fix it and call again).
- propose_phase_transition: move to another phase when the conversation calls for it, e.g. back to refinement when the user wants to rework the objective. Forward moves happen by themselves when a phase's exit criterion holds, except the last: once the set passes in validation, show it and ask the person to confirm it (they may still want to add a key result); when they confirm, propose complete. You cannot skip a criterion.
The scores are computed by the rubric, not by you: never invent a score; you may comment on the rubric's reasons.`;

/** The part of the system prompt that is the same for every turn of a phase (cacheable). */
export function stablePrompt(phase: Phase): string {
  const info = phaseInfo[phase];
  return [
    "You are an experienced OKR coach. You help one person turn what they want to achieve into a strong OKR set, one step at a time. Be warm, concise and concrete: a few sentences, one question at a time, and reuse the person's own words.",
    method,
    `The flow has phases: ${phases.join(" → ")}.`,
    `Current phase: ${phase}.\nGoal: ${info.goal}\nExit criterion: ${info.exitCriterion}\nQuestions to ask in this phase:\n${info.questions.map((q) => `- ${q}`).join("\n")}`,
    `Quality rubric:\n${criteriaText}`,
    toolsText,
  ].join("\n\n");
}

/** The part of the system prompt that carries the session's state. */
export function dynamicPrompt(state: OkrState): string {
  const score = scoreDraft(state.draft);
  return [
    `Phase: ${state.phase}. Draft version: ${state.draftVersion}.`,
    `Current draft (JSON):\n${JSON.stringify(state.draft)}`,
    `Rubric:\n${describeScore(score)}`,
  ].join("\n\n");
}

export function systemPrompt(state: OkrState): { stable: string; dynamic: string } {
  return { stable: stablePrompt(state.phase), dynamic: dynamicPrompt(state) };
}

/** The rubric's verdict as compact text for the model (tool results, dynamic prompt). */
export function describeScore(score: DraftScore): string {
  const lines = [
    `overall ${score.overall}/100; complete: ${score.complete ? "yes" : "no"}; passes: ${score.passes ? "yes" : "no"} (threshold ${RUBRIC_THRESHOLD}, item floor ${RUBRIC_ITEM_FLOOR})`,
    `objective ${score.objective.score}/100${reasonsText(score.objective.reasons)}`,
    ...score.keyResults.map((kr) => `${kr.id} ${kr.score}/100${reasonsText(kr.reasons)}`),
  ];
  return lines.join("\n");
}

const reasonsText = (reasons: DraftScore["objective"]["reasons"]) =>
  reasons.length === 0 ? "" : `: ${reasons.map((r) => `${r.code} (−${r.points}) ${r.message} Fix: ${r.suggestion}`).join(" | ")}`;

/** A number with its unit as people write it: "22%", "$1,200", "12,000 users". */
export function formatValue(value: number, unit?: string): string {
  const number = value.toLocaleString("en-US", { maximumFractionDigits: 2 });
  if (!unit) return number;
  if (unit === "%") return `${number}%`;
  if (unit === "$" || unit === "€" || unit === "£") return `${unit}${number}`;
  return `${number} ${unit}`;
}

/** The draft as a few readable lines, with each item's score. */
export function draftSummary(draft: OkrDraft, score: DraftScore = scoreDraft(draft)): string {
  const lines: string[] = [];
  if (draft.objective) {
    const timeframe = draft.objective.timeframe ? ` (${draft.objective.timeframe})` : "";
    lines.push(`Objective: ${draft.objective.statement}${timeframe} — ${score.objective.score}/100`);
  } else {
    lines.push("Objective: not yet");
  }
  for (const kr of draft.keyResults) {
    const krScore = score.keyResults.find((s) => s.id === kr.id)?.score ?? 0;
    lines.push(`${kr.id.toUpperCase()}: ${kr.statement} — ${krScore}/100`);
  }
  if (draft.keyResults.length > 0) lines.push(`Overall: ${score.overall}/100${score.passes ? " — passes" : ""}`);
  return lines.join("\n");
}
