import { messageItem } from "./partition";
import * as z from "../zod";

export const Role = z.enum(["user", "assistant", "system"]);
export type Role = z.infer<typeof Role>;

export const TokenUsage = z.object({
  inputTokens: z.number().check(z.int(), z.nonnegative()),
  outputTokens: z.number().check(z.int(), z.nonnegative()),
  cacheReadTokens: z.optional(z.number().check(z.int(), z.nonnegative())),
  cacheWriteTokens: z.optional(z.number().check(z.int(), z.nonnegative())),
});
export type TokenUsage = z.infer<typeof TokenUsage>;

export const MessageStatus = z.enum(["complete", "incomplete"]);
export const StopReason = z.enum(["user"]);

/** Longest message content accepted, in characters. */
export const MAX_CONTENT_LENGTH = 16_000;

/** What a user sends: the one schema of a message's content, on every transport. */
export const MessageContent = z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_CONTENT_LENGTH));

/** The client's id for a message it sends, so a resend is recognised: the one schema of it, on every transport. */
export const ClientMessageId = z.string().check(z.minLength(1), z.maxLength(128));

export const Message = z.object({
  id: z.string(),
  sessionId: z.string(),
  seq: z.number().check(z.int(), z.positive()),
  role: Role,
  content: z.string(),
  status: MessageStatus,
  createdAt: z.string(),
  clientMessageId: z.optional(z.string()),
  usage: z.optional(TokenUsage),
  /** Why an assistant reply ended before the model finished it: `user`, its user stopped it (status is then incomplete). */
  stopReason: z.optional(StopReason),
});
export type Message = z.infer<typeof Message>;

/**
 * Message ids embed the session id and sequence number, so a message is one
 * GetItem away from its id and ids stay unique across sessions.
 */
export const messageId = (sessionId: string, seq: number) => `${sessionId}.m${seq}`;

export function parseMessageId(id: string): { sessionId: string; seq: number } | undefined {
  const match = /^(.+)\.m([1-9][0-9]{0,9})$/.exec(id);
  if (!match?.[1] || !match[2]) return undefined;
  return { sessionId: match[1], seq: Number(match[2]) };
}

export function toItem(message: Message) {
  return { ...messageItem.key(message.sessionId, message.seq), type: "message", ...message };
}

export function fromItem(item: Record<string, unknown>): Message {
  return Message.parse(item);
}
