import { z } from "zod";

export const Role = z.enum(["user", "assistant", "system"]);
export type Role = z.infer<typeof Role>;

export const TokenUsage = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheReadTokens: z.number().int().nonnegative().optional(),
  cacheWriteTokens: z.number().int().nonnegative().optional(),
});
export type TokenUsage = z.infer<typeof TokenUsage>;

export const MessageStatus = z.enum(["complete", "incomplete"]);

/** Longest message content accepted, in characters. */
export const MAX_CONTENT_LENGTH = 16_000;

export const Message = z.object({
  id: z.string(),
  sessionId: z.string(),
  seq: z.number().int().positive(),
  role: Role,
  content: z.string(),
  status: MessageStatus,
  createdAt: z.string(),
  clientMessageId: z.string().optional(),
  usage: TokenUsage.optional(),
});
export type Message = z.infer<typeof Message>;

const SEQ_WIDTH = 10;
const pad = (seq: number) => String(seq).padStart(SEQ_WIDTH, "0");

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

/** One item per message in the session's partition, sorted by sequence number. */
export const messageKeys = {
  partition: (sessionId: string) => `SESSION#${sessionId}`,
  prefix: "MSG#",
  sort: (seq: number) => `MSG#${pad(seq)}`,
  last: `MSG#${"9".repeat(SEQ_WIDTH)}`,
  /** A message's sort key, sequence 1 or more: the only sort key a history cursor may hold. */
  sortFormat: /^MSG#(?!0{10})\d{10}$/,
} as const;

export function toItem(message: Message) {
  return { pk: messageKeys.partition(message.sessionId), sk: messageKeys.sort(message.seq), type: "message", ...message };
}

export function fromItem(item: Record<string, unknown>): Message {
  return Message.parse(item);
}
