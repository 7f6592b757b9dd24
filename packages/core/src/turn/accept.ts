import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { ulid } from "ulid";
import { z } from "zod";
import { assertUserId } from "../actor";
import { appendWrites } from "../conversation/messages";
import * as MessageEntity from "../conversation/message";
import { SessionId } from "../conversation/session";
import { loadOwnedSession } from "../conversation/store";
import { VisibleError } from "../error";
import * as RateLimit from "../ratelimit";
import { documentClient, tableName } from "../table";
import { fn } from "../util";
import { acquireLock, acquireLockWrite, readLock, releaseLock } from "./lock";

export const SendInput = z.object({
  sessionId: SessionId,
  clientMessageId: z.string().min(1).max(128),
  content: z.string().trim().min(1).max(MessageEntity.MAX_CONTENT_LENGTH),
});

/** What a worker needs to run the AI reply to one user message. */
export interface TurnTicket {
  sessionId: string;
  userId: string;
  turnId: string;
  userSeq: number;
}

export type Accepted =
  /** A new user message; the ticket is the turn to run. */
  | { kind: "accepted"; message: MessageEntity.Message; ticket: TurnTicket }
  /**
   * A resend of a clientMessageId already stored: the original message. With
   * a ticket only when its reply failed earlier and nothing is running, so a
   * retry gets an answer but never a second one.
   */
  | { kind: "duplicate"; message: MessageEntity.Message; ticket?: TurnTicket };

/** Idempotency record: clientMessageId → the message it created, for a day. */
const IDEMPOTENCY_SECONDS = 24 * 60 * 60;
const clientMessageKey = (sessionId: string, clientMessageId: string) => ({ pk: `SESSION#${sessionId}`, sk: `CLIENTMSG#${clientMessageId}` });

const MAX_ATTEMPTS = 6;

/**
 * Step 2 of a turn: rate-limit, authorize, deduplicate, then in one
 * transaction store the user message, advance the session, record the
 * clientMessageId and take the session's turn lock. Either all of it
 * happens or none: a message is never stored without its turn, and a
 * second message while a reply streams is refused, not queued.
 */
export const acceptUserMessage = fn(SendInput, async (input): Promise<Accepted> => {
  const userId = assertUserId();
  // First, before any read: a flood is refused at the cost of one conditional write per frame.
  try {
    await RateLimit.consume([
      // Keyed by the caller too: counted before the owner check, so nobody can spend the owner's budget.
      { key: `session#${input.sessionId}#user#${userId}`, perMinute: RateLimit.rateLimits.sessionPerMinute },
      { key: `user#${userId}`, perMinute: RateLimit.rateLimits.userPerMinute },
    ]);
  } catch (error) {
    // A resend of a stored message creates nothing, so it is answered even over the limit.
    const earlier = error instanceof VisibleError && error.kind === "rate_limited" ? await findByClientMessageId(input.sessionId, input.clientMessageId) : undefined;
    if (!earlier) throw error;
    return duplicateOf(earlier, userId);
  }
  for (let attempt = 1; ; attempt++) {
    const session = await loadOwnedSession(input.sessionId);
    const earlier = await findByClientMessageId(input.sessionId, input.clientMessageId);
    if (earlier) return duplicateOf(earlier, userId);

    const turnId = ulid();
    const { message, writes } = appendWrites(session, { role: "user", content: input.content, status: "complete", clientMessageId: input.clientMessageId });
    try {
      await documentClient.send(
        new TransactWriteCommand({
          TransactItems: [
            ...writes,
            {
              Put: {
                TableName: tableName,
                Item: { ...clientMessageKey(session.id, input.clientMessageId), type: "client_message", seq: message.seq, ttl: nowSeconds() + IDEMPOTENCY_SECONDS },
                ConditionExpression: "attribute_not_exists(pk)",
              },
            },
            acquireLockWrite(session.id, turnId, message.seq),
          ],
        }),
      );
      return { kind: "accepted", message, ticket: { sessionId: session.id, userId, turnId, userSeq: message.seq } };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [messageTaken, sessionChanged, idTaken, locked] = (error.CancellationReasons ?? []).map((r) => r.Code === "ConditionalCheckFailed");
      if (idTaken) continue; // a concurrent resend won: the next pass returns it as a duplicate
      if (locked && !messageTaken && !sessionChanged) {
        throw new VisibleError("conflict", "turn.in_progress", "A reply is still being written; send again when it is complete", { retryable: true });
      }
      if (attempt >= MAX_ATTEMPTS) throw new VisibleError("conflict", "session.busy", "The session is busy; try again", { retryable: true }, { cause: error });
    }
  }
});

async function findByClientMessageId(sessionId: string, clientMessageId: string): Promise<MessageEntity.Message | undefined> {
  const record = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: clientMessageKey(sessionId, clientMessageId), ConsistentRead: true }),
  );
  if (!record.Item) return undefined;
  const seq = Number(record.Item.seq);
  const message = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: { pk: MessageEntity.messageKeys.partition(sessionId), sk: MessageEntity.messageKeys.sort(seq) },
      ConsistentRead: true,
    }),
  );
  if (!message.Item) throw new Error(`Idempotency record of ${sessionId} points at missing message ${seq}`);
  return MessageEntity.fromItem(message.Item);
}

async function duplicateOf(message: MessageEntity.Message, userId: string): Promise<Accepted> {
  if ((await isAnswered(message)) || (await readLock(message.sessionId))) return { kind: "duplicate", message };
  // Its reply failed and nothing runs now: this resend is the retry.
  const turnId = ulid();
  if (!(await acquireLock(message.sessionId, turnId, message.seq))) return { kind: "duplicate", message };
  // A reply stored (with its lock released) between the checks above and taking the lock is visible now:
  // the reply and the release commit together, so a read under our lock is the truth.
  if (await isAnswered(message)) {
    await releaseLock(message.sessionId, turnId);
    return { kind: "duplicate", message };
  }
  return { kind: "duplicate", message, ticket: { sessionId: message.sessionId, userId, turnId, userSeq: message.seq } };
}

/** Whether anything was stored after the message (its reply; no user message can follow an unanswered one). */
async function isAnswered(message: MessageEntity.Message): Promise<boolean> {
  const session = await loadOwnedSession(message.sessionId);
  return session.messageCount > message.seq;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
