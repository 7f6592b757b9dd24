import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "../zod";
import { assertUserId } from "../actor";
import { clock } from "../clock";
import { notFound, VisibleError } from "../error";
import { documentClient, queryPage, tableName, transact, TransactionRefused, type TransactWrite } from "../table";
import { afterActivity, moveHorizon } from "./expiry";
import { messageItem, sessionPartition } from "./partition";
import { fn } from "../util";
import * as FeedbackEntity from "./feedback";
import * as MessageEntity from "./message";
import * as Session from "./session";
import { loadOwnedSession, updateSessionInput } from "./store";

export const AppendInput = z.object({
  sessionId: Session.SessionId,
  role: MessageEntity.Role,
  content: z.string().check(z.minLength(1), z.maxLength(MessageEntity.MAX_CONTENT_LENGTH)),
  status: z._default(MessageEntity.MessageStatus, "complete"),
  clientMessageId: z.optional(MessageEntity.ClientMessageId),
  usage: z.optional(MessageEntity.TokenUsage),
  stopReason: z.optional(MessageEntity.StopReason),
});

const MAX_ATTEMPTS = 6;

/**
 * Appends one message item and advances the session's counter and
 * last-activity in the same transaction. The next sequence number is the
 * session's messageCount + 1; the transaction is conditioned on the version
 * read, so two concurrent appends never share a number; the loser retries.
 */
export const appendMessage = fn(AppendInput, async (input): Promise<MessageEntity.Message> => {
  for (let attempt = 1; ; attempt++) {
    const session = await loadOwnedSession(input.sessionId);
    const { message, writes, restamp } = appendWrites(session, input);
    try {
      if (restamp) await moveHorizon(session.id, restamp);
      await transact(writes);
      return message;
    } catch (error) {
      const contended = error instanceof TransactionRefused;
      if (!contended || attempt >= MAX_ATTEMPTS) {
        if (contended) throw new VisibleError("conflict", "session.busy", "The session is busy; try again", undefined, { cause: error });
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, attempt * 15 * Math.random()));
    }
  }
});

export type AppendFields = Omit<z.output<typeof AppendInput>, "sessionId">;

/**
 * The two writes that append a message to a session as read: the message
 * item, and the session's counters advanced under its version. Callers add
 * their own writes (an idempotency record, a turn lock) to the same
 * transaction. `evenIfEnded` is for the reply to a message accepted while
 * the session was active, which is kept if the session ended meanwhile.
 *
 * A message is an expiring session's activity: its expiry moves a period
 * on, and the message carries the session's TTL horizon. When the horizon
 * moved too, `restamp` is the new one: the caller moves the older items to
 * it (`moveHorizon`) before the transaction, so no item is left behind it.
 */
export function appendWrites(session: Session.Info, input: AppendFields, options: { evenIfEnded?: boolean } = {}) {
  if (session.status !== "active" && !options.evenIfEnded) {
    throw new VisibleError("conflict", "session.not_active", "The session has ended; resume it to continue");
  }
  const nowMs = clock.nowMs();
  const now = new Date(nowMs).toISOString();
  const seq = session.messageCount + 1;
  const message: MessageEntity.Message = {
    id: MessageEntity.messageId(session.id, seq),
    sessionId: session.id,
    seq,
    role: input.role,
    content: input.content,
    status: input.status,
    createdAt: now,
    clientMessageId: input.clientMessageId,
    usage: input.usage,
    ...(input.stopReason ? { stopReason: input.stopReason } : {}),
  };
  const expiry = afterActivity(session, nowMs);
  const next = { ...session, messageCount: seq, lastActivity: now, version: session.version + 1, ...expiry?.expiry };
  const writes = {
    message: { Put: { TableName: tableName, Item: { ...MessageEntity.toItem(message), ttl: next.ttl }, ConditionExpression: "attribute_not_exists(pk)" } },
    session: { Update: updateSessionInput(next, session.version) },
  } satisfies Record<string, TransactWrite>;
  return { message, session: next, writes, restamp: expiry?.restamp };
}

export const HistoryInput = z
  .object({
    sessionId: Session.SessionId,
    limit: z._default(z.number().check(z.int(), z.gte(1), z.lte(200)), 50),
    cursor: z.optional(z.string()),
    afterSeq: z.optional(z.number().check(z.int(), z.nonnegative())),
  })
  .check(
    z.refine((input) => input.cursor === undefined || input.afterSeq === undefined, {
      message: "use either cursor or afterSeq, not both",
      path: ["cursor"],
    }),
  );

export interface History {
  messages: MessageEntity.Message[];
  nextCursor?: string;
}

/** Messages in sequence order, from the start, after a sequence number, or from a cursor. */
export const history = fn(HistoryInput, async (input): Promise<History> => {
  await loadOwnedSession(input.sessionId);
  return readHistory(input);
});

/** The history Query alone, for callers that have already checked the caller owns the session. */
export async function readHistory(input: z.output<typeof HistoryInput>): Promise<History> {
  const page = await queryPage(
    {
      KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
      ExpressionAttributeValues: {
        ":pk": sessionPartition.pk(input.sessionId),
        ":from": messageItem.sort((input.afterSeq ?? 0) + 1),
        ":to": messageItem.last,
      },
    },
    { limit: input.limit, cursor: input.cursor, cursorFormat: messageItem.cursorFormat(input.sessionId) },
  );
  return { messages: page.items.map(MessageEntity.fromItem), nextCursor: page.nextCursor };
}

export const FeedbackInput = z.object({
  sessionId: Session.SessionId,
  messageId: z.string().check(z.maxLength(128)),
  rating: FeedbackEntity.Rating,
  comment: z.optional(z.string().check(z.maxLength(2000))),
});

/** Records (or replaces) the caller's rating of one assistant message. */
export const giveFeedback = fn(FeedbackInput, async (input): Promise<FeedbackEntity.Feedback> => {
  const userId = assertUserId();
  const session = await loadOwnedSession(input.sessionId);
  const parsed = MessageEntity.parseMessageId(input.messageId);
  if (!parsed || parsed.sessionId !== input.sessionId) throw notFound("Message");
  const found = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: messageItem.key(input.sessionId, parsed.seq),
    }),
  );
  if (!found.Item) throw notFound("Message");
  const message = MessageEntity.fromItem(found.Item);
  if (message.role !== "assistant") {
    throw new VisibleError("invalid", "feedback.not_assistant_message", "Feedback can only be given on assistant messages");
  }
  const feedback: FeedbackEntity.Feedback = {
    sessionId: input.sessionId,
    messageId: message.id,
    userId,
    rating: input.rating,
    comment: input.comment,
    createdAt: new Date().toISOString(),
  };
  await documentClient.send(new PutCommand({ TableName: tableName, Item: { ...FeedbackEntity.toItem(feedback, message.seq), ttl: session.ttl } }));
  return feedback;
});
