import type { FlowExport, PhaseTransition } from "../flow/plugin";
import { OkrDraft } from "./machine/draft";
import type { OkrState } from "./machine/machine";
import { scoreDraft, type DraftScore } from "./machine/rubric";

export interface OkrExport {
  phase: string;
  draft: OkrDraft;
  draftVersion: number;
  /** The rubric's scores of the final draft. */
  scores: DraftScore;
  transitions: PhaseTransition[];
}

/** An OKR session's export adds its final OKR set, scored, and how the phases went. */
export const okrExport: FlowExport<OkrState, OkrExport> = {
  key: "okr",
  data: (state, transitions): OkrExport => ({
    phase: state.phase,
    draft: state.draft,
    draftVersion: state.draftVersion,
    scores: scoreDraft(state.draft),
    transitions: [...transitions],
  }),
  markdown: (exported) => {
    const { draft, scores } = exported;
    const lines = ["## OKRs", ""];
    if (!draft.objective) return [...lines, "_No objective drafted yet._"];
    const timeframe = draft.objective.timeframe ? ` (${draft.objective.timeframe})` : "";
    lines.push(
      `**Objective:** ${draft.objective.statement}${timeframe} — score ${scores.objective.score}/100`,
      "",
      "| Key result | Metric | Baseline → target | Due | Score |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const kr of draft.keyResults) {
      const unit = kr.unit ? ` ${kr.unit}` : "";
      const range = `${kr.baseline ?? "?"} → ${kr.target ?? "?"}${unit}`;
      const score = scores.keyResults.find((s) => s.id === kr.id)?.score ?? 0;
      lines.push(`| ${kr.id.toUpperCase()}: ${kr.statement} | ${kr.metric} | ${range} | ${kr.dueDate ?? "—"} | ${score}/100 |`);
    }
    lines.push("", `**Overall:** ${scores.overall}/100 — ${scores.passes ? "passes the rubric" : "does not pass the rubric yet"} (phase: ${exported.phase}, draft version ${exported.draftVersion})`);
    const reasons = [scores.objective, ...scores.keyResults].flatMap((item) => item.reasons);
    if (reasons.length > 0) lines.push("", "To improve:", ...reasons.map((reason) => `- ${reason.message}`));
    return lines;
  },
};
