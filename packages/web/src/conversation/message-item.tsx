/** One message: who said it, what it says, and for the coach's replies a rating. */
import type { Message } from "@coach/client";
import { Feedback } from "./feedback";
import { Markdown } from "./markdown";

const ROLE_LABELS: Record<Message["role"], string> = { user: "You", assistant: "Coach", system: "System" };

interface MessageItemProps {
  role: Message["role"];
  content: string;
  /** Stored replies only: one being written cannot be rated yet. */
  message?: Message;
  note?: string;
}

export function MessageItem({ role, content, message, note }: MessageItemProps) {
  const stopped = message?.stopReason === "user";
  return (
    <li class={`message ${role}`}>
      <span class="message-role">{ROLE_LABELS[role]}</span>
      <div class="message-content">
        <Markdown text={content} />
        {(stopped || note) && <p class="muted small">{stopped ? "(stopped)" : note}</p>}
      </div>
      {message && role === "assistant" && <Feedback sessionId={message.sessionId} messageId={message.id} />}
    </li>
  );
}
