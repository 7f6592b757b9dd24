import { z } from "zod";
import * as Okr from "../okr";
import { fn } from "../util";
import * as FeedbackEntity from "./feedback";
import * as MessageEntity from "./message";
import * as Session from "./session";
import { loadOwnedSession, queryAll } from "./store";

export const ExportFormat = z.enum(["json", "markdown"]);
export type ExportFormat = z.infer<typeof ExportFormat>;

export interface OkrExport {
  phase: string;
  draft: Okr.OkrDraft;
  draftVersion: number;
  /** The rubric's scores of the final draft. */
  scores: Okr.DraftScore;
  transitions: { from: string; to: string; by: string; reason: string; at: string }[];
}

export interface SessionExport {
  session: Session.Info;
  messages: MessageEntity.Message[];
  feedback: FeedbackEntity.Feedback[];
  /** OKR sessions only: the final OKR set and how the phases went. */
  okr?: OkrExport;
  exportedAt: string;
}

export const ExportInput = z.object({ sessionId: Session.SessionId });

/** The whole session: one Query over its partition, split by item type. */
export const exportSession = fn(ExportInput, async (input): Promise<SessionExport> => {
  const session = await loadOwnedSession(input.sessionId);
  const items = await queryAll({
    KeyConditionExpression: "pk = :pk",
    ExpressionAttributeValues: { ":pk": Session.sessionKeys.partition(session.id) },
  });
  return {
    session,
    messages: items.filter((item) => item.type === "message").map(MessageEntity.fromItem),
    feedback: items.filter((item) => item.type === "feedback").map(FeedbackEntity.fromItem),
    okr: session.flow === "okr" ? okrOf(items) : undefined,
    exportedAt: new Date().toISOString(),
  };
});

/** The latest stored OKR state among a session's items (sort keys order versions), scored. */
function okrOf(items: Record<string, unknown>[]): OkrExport {
  const states = items.filter((item) => item.type === "flow_state");
  const latest = states.at(-1);
  const state = latest ? Okr.OkrState.parse(latest.state) : Okr.initialState();
  return {
    phase: state.phase,
    draft: state.draft,
    draftVersion: state.draftVersion,
    scores: Okr.scoreDraft(state.draft),
    transitions: items
      .filter((item) => item.type === "phase_transition")
      .map((item) => ({ from: String(item.from), to: String(item.to), by: String(item.by), reason: String(item.reason), at: String(item.at) })),
  };
}

const speaker: Record<MessageEntity.Role, string> = { user: "You", assistant: "Coach", system: "System" };

function okrMarkdown(okr: OkrExport): string[] {
  const { draft, scores } = okr;
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
  lines.push("", `**Overall:** ${scores.overall}/100 — ${scores.passes ? "passes the rubric" : "does not pass the rubric yet"} (phase: ${okr.phase}, draft version ${okr.draftVersion})`);
  const reasons = [scores.objective, ...scores.keyResults].flatMap((item) => item.reasons);
  if (reasons.length > 0) {
    lines.push("", "To improve:", ...reasons.map((reason) => `- ${reason.message}`));
  }
  return lines;
}

/** A human-readable transcript; the JSON export is the lossless one. */
export function toMarkdown(data: SessionExport): string {
  const { session } = data;
  const ratings = new Map(data.feedback.map((feedback) => [feedback.messageId, feedback]));
  const lines = [
    `# Session ${session.id}`,
    "",
    `| | |`,
    `| --- | --- |`,
    `| Flow | ${session.flow} |`,
    `| Phase | ${session.phase} |`,
    `| Status | ${session.status}${session.isResolved ? " (resolved)" : ""} |`,
    `| Created | ${session.createdAt} |`,
    `| Last activity | ${session.lastActivity} |`,
    `| Messages | ${session.messageCount} |`,
  ];
  if (session.resolutionNotes) lines.push("", "## Resolution notes", "", session.resolutionNotes);
  if (data.okr) lines.push("", ...okrMarkdown(data.okr));
  lines.push("", "## Transcript");
  if (data.messages.length === 0) lines.push("", "_No messages yet._");
  for (const message of data.messages) {
    const incomplete = message.status === "incomplete" ? " _(incomplete)_" : "";
    lines.push("", `### ${speaker[message.role]} · #${message.seq} · ${message.createdAt}${incomplete}`, "", message.content);
    const feedback = ratings.get(message.id);
    if (feedback) {
      const comment = feedback.comment ? `: ${feedback.comment}` : "";
      lines.push("", `> Feedback: ${feedback.rating === "up" ? "👍" : "👎"}${comment}`);
    }
  }
  lines.push("", `_Exported ${data.exportedAt}_`, "");
  return lines.join("\n");
}
