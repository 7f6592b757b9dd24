import { z } from "zod";
import { fn } from "../util";
import * as FeedbackEntity from "./feedback";
import * as MessageEntity from "./message";
import * as Session from "./session";
import { loadOwnedSession, queryAll } from "./store";

export const ExportFormat = z.enum(["json", "markdown"]);
export type ExportFormat = z.infer<typeof ExportFormat>;

export interface SessionExport {
  session: Session.Info;
  messages: MessageEntity.Message[];
  feedback: FeedbackEntity.Feedback[];
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
    exportedAt: new Date().toISOString(),
  };
});

const speaker: Record<MessageEntity.Role, string> = { user: "You", assistant: "Coach", system: "System" };

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
