import * as z from "../zod";
import { flowNamed, type AnyFlow } from "../flow/plugin";
import { transitionFromItem } from "../flow/state";
import { queryAll } from "../table";
import { invalidInput } from "../util";
import * as FeedbackEntity from "./feedback";
import * as MessageEntity from "./message";
import { flowStateItem, sessionPartition } from "./partition";
import * as Session from "./session";
import { loadOwnedSession } from "./store";

export const ExportFormat = z.enum(["json", "markdown"]);
export type ExportFormat = z.infer<typeof ExportFormat>;

export interface SessionExport {
  session: Session.Info;
  messages: MessageEntity.Message[];
  feedback: FeedbackEntity.Feedback[];
  exportedAt: string;
  /** What the session's flow adds, under its key (OKR sessions: `okr`, the final OKR set and how the phases went). */
  [flowKey: string]: unknown;
}

export const ExportInput = z.object({ sessionId: Session.SessionId });

/** The whole session: one Query over its partition, split by item type; `flow` is the session's plug-in, for what it adds. */
export async function exportSession(raw: z.input<typeof ExportInput>, flows: Readonly<Record<string, AnyFlow>>): Promise<SessionExport> {
  const parsed = ExportInput.safeParse(raw);
  if (!parsed.success) throw invalidInput(parsed.error);
  const session = await loadOwnedSession(parsed.data.sessionId);
  const flow = flowNamed(flows, session.flow);
  const items = await queryAll(sessionPartition.all(session.id));
  return {
    session,
    messages: items.filter((item) => item.type === "message").map(MessageEntity.fromItem),
    feedback: items.filter((item) => item.type === "feedback").map(FeedbackEntity.fromItem),
    ...(flow.exported ? { [flow.exported.key]: flow.exported.data(flowStateOf(flow, items), transitionsOf(items)) } : {}),
    exportedAt: new Date().toISOString(),
  };
}

/** The current state among a session's items: the current-state item, or (older sessions) the last version item. */
function flowStateOf(flow: AnyFlow, items: Record<string, unknown>[]): unknown {
  const current = items.find((item) => item.sk === flowStateItem.currentSort) ?? items.filter((item) => item.type === "flow_state").at(-1);
  return current ? flow.stateSchema.parse(current.state) : flow.initialState();
}

const transitionsOf = (items: Record<string, unknown>[]) => items.filter((item) => item.type === "phase_transition").map(transitionFromItem);

const speaker: Record<MessageEntity.Role, string> = { user: "You", assistant: "Coach", system: "System" };

/** A human-readable transcript; the JSON export is the lossless one. */
export function toMarkdown(data: SessionExport, flows: Readonly<Record<string, AnyFlow>>): string {
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
  const exported = flowNamed(flows, session.flow).exported;
  if (exported && data[exported.key] !== undefined) lines.push("", ...exported.markdown(data[exported.key]));
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
