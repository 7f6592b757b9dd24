import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { ulid } from "ulid";
import * as z from "../zod";
import { assertUserId } from "../actor";
import * as Connection from "../connection";
import * as MessageEntity from "../conversation/message";
import { moveHorizon } from "../conversation/expiry";
import { appendWrites } from "../conversation/messages";
import { messageItem, resendRecord } from "../conversation/partition";
import { SessionId } from "../conversation/session";
import type * as Session from "../conversation/session";
import { loadOwnedSession } from "../conversation/store";
import { VisibleError } from "../error";
import * as RateLimit from "../ratelimit";
import { documentClient, tableName, transact, TransactionRefused } from "../table";
import { invalidInput } from "../util";
import { acquireLock, acquireLockWrite, readLock, rejoinWrite, releaseLock } from "./lock";
import type { Dispatch, Fanout, TurnTicket } from "./ports";

export const SendInput = z.object({
  sessionId: SessionId,
  clientMessageId: MessageEntity.ClientMessageId,
  content: MessageEntity.MessageContent,
});
export type SendInput = z.input<typeof SendInput>;

export type Accepted =
  /** A new user message; the ticket is the turn to run. */
  | { kind: "accepted"; message: MessageEntity.Message; ticket: TurnTicket }
  /**
   * A resend of a clientMessageId already stored: the original message. With
   * a ticket only when its reply failed earlier and nothing is running, so a
   * retry gets an answer but never a second one.
   */
  | { kind: "duplicate"; message: MessageEntity.Message; ticket?: TurnTicket };

export interface AcceptPorts {
  /** Every connection of the session: a new message is announced to all of them. */
  fanout: Fanout;
  dispatch: Dispatch;
  /** The sender's own channel, if it has one besides the caller's return value: a resend is answered there only. */
  answer?: Fanout;
  /** The WebSocket connection it came from: sending to a session joins it, in the same transaction. */
  connectionId?: string;
}

/** The resend record lives a day: clientMessageId → the message it created. */
const RESEND_SECONDS = 24 * 60 * 60;
const MAX_ATTEMPTS = 6;

/**
 * The first half of a turn, the same on every transport: rate-limit (before
 * any read), authorize, store the user message with its resend record and
 * the session's turn lock in one transaction (so a message is never stored
 * without its turn, and a second message while a reply streams is refused,
 * not queued), tell the session's connections, and hand the turn off. A
 * hand-off that fails frees the session at once, so a resend retries.
 */
export async function accept(raw: SendInput, ports: AcceptPorts): Promise<Accepted> {
  const parsed = SendInput.safeParse(raw);
  if (!parsed.success) throw invalidInput(parsed.error);
  const input = parsed.data;
  const userId = assertUserId();
  const accepted = await admit(input, userId, ports.connectionId);
  const announcement = { type: "message_accepted", clientMessageId: input.clientMessageId, message: accepted.message } as const;
  // The session heard of the message when it was stored; a resend tells only whoever resent it.
  await (accepted.kind === "accepted" ? ports.fanout : ports.answer)?.send(announcement);
  if (accepted.ticket) {
    try {
      await ports.dispatch(accepted.ticket);
    } catch (error) {
      await releaseLock(accepted.ticket.sessionId, accepted.ticket.turnId).catch(() => undefined);
      throw error;
    }
  }
  return accepted;
}

async function admit(input: z.output<typeof SendInput>, userId: string, connectionId: string | undefined): Promise<Accepted> {
  const limits = RateLimit.rateLimits();
  try {
    await RateLimit.consume([
      { key: `user#${userId}`, perMinute: limits.userPerMinute },
      // Inside the caller's own bucket: counted before the owner check, so nobody can spend the owner's budget.
      { key: `session#${input.sessionId}`, perMinute: limits.sessionPerMinute },
    ]);
  } catch (error) {
    // A resend of a stored message creates nothing, so it is answered even over the limit.
    const earlier = error instanceof VisibleError && error.kind === "rate_limited" ? await findResent(input.sessionId, input.clientMessageId) : undefined;
    if (!earlier) throw error;
    return resent(earlier, userId, connectionId);
  }
  for (let attempt = 1; ; attempt++) {
    const session = await loadOwnedSession(input.sessionId);
    if (session.status !== "active") {
      const earlier = await findResent(session.id, input.clientMessageId);
      if (earlier) return resent(earlier, userId, connectionId);
    }
    const turnId = ulid();
    const { message, writes, restamp } = appendWrites(session, { role: "user", content: input.content, status: "complete", clientMessageId: input.clientMessageId });
    try {
      // An expiring session's horizon moved: the older items first, then the message that moves it.
      if (restamp) await moveHorizon(session.id, restamp);
      await transact({
        ...writes,
        resend: {
          Put: {
            TableName: tableName,
            Item: { ...resendRecord.key(session.id, input.clientMessageId), type: "client_message", seq: message.seq, ttl: nowSeconds() + RESEND_SECONDS },
            ConditionExpression: "attribute_not_exists(pk)",
          },
        },
        lock: acquireLockWrite(session.id, turnId, message.seq),
        ...(connectionId ? Connection.joinWrites(connectionId, session.id, userId) : {}),
      });
      return { kind: "accepted", message, ticket: { sessionId: session.id, userId, turnId, userSeq: message.seq } };
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      const { failed } = error;
      if (failed.has("resend")) {
        const earlier = await findResent(session.id, input.clientMessageId);
        if (earlier) return resent(earlier, userId, connectionId);
        continue; // a concurrent resend is being stored: the next pass finds it
      }
      if (failed.has("connection")) throw Connection.connectionGone();
      if (failed.has("lock") && !failed.has("message") && !failed.has("session")) {
        throw new VisibleError("conflict", "turn.in_progress", "A reply is still being written; send again when it is complete", { retryable: true });
      }
      if (attempt >= MAX_ATTEMPTS) throw new VisibleError("conflict", "session.busy", "The session is busy; try again", { retryable: true }, { cause: error });
    }
  }
}

async function findResent(sessionId: string, clientMessageId: string): Promise<MessageEntity.Message | undefined> {
  const record = await documentClient.send(new GetCommand({ TableName: tableName, Key: resendRecord.key(sessionId, clientMessageId), ConsistentRead: true }));
  if (!record.Item) return undefined;
  const seq = Number(record.Item.seq);
  const message = await documentClient.send(new GetCommand({ TableName: tableName, Key: messageItem.key(sessionId, seq), ConsistentRead: true }));
  if (!message.Item) throw new Error(`Resend record of ${sessionId} points at missing message ${seq}`);
  return MessageEntity.fromItem(message.Item);
}

/** A resend: the original message, and a ticket only if its reply failed and nothing runs now (this resend is the retry). */
async function resent(message: MessageEntity.Message, userId: string, connectionId: string | undefined): Promise<Accepted> {
  // The owner check comes before anything is told: someone else's clientMessageId answers as a missing session.
  const session = await loadOwnedSession(message.sessionId);
  const running = isAnswered(session, message) ? undefined : await readLock(message.sessionId);
  // Its reply being written, a resend from a connection that was not listening is sent the reply so far, then the rest.
  if (connectionId) await subscribeResender(connectionId, message.sessionId, userId, running?.turnId);
  if (isAnswered(session, message) || running) return { kind: "duplicate", message };
  const turnId = ulid();
  if (!(await acquireLock(message.sessionId, turnId, message.seq))) return { kind: "duplicate", message };
  // A reply stored (with its lock released) between the checks above and taking the lock is visible now:
  // the reply and the release commit together, so a read under our lock is the truth.
  if (isAnswered(await loadOwnedSession(message.sessionId), message)) {
    await releaseLock(message.sessionId, turnId);
    return { kind: "duplicate", message };
  }
  return { kind: "duplicate", message, ticket: { sessionId: message.sessionId, userId, turnId, userSeq: message.seq } };
}

/**
 * Subscribes the resending connection, and with a turn running asks it, in
 * the same transaction, to send the connection its reply so far. A turn that
 * ended meanwhile has stored its reply: then the subscription alone.
 */
async function subscribeResender(connectionId: string, sessionId: string, userId: string, turnId: string | undefined): Promise<void> {
  if (turnId) {
    try {
      await transact({ ...Connection.joinWrites(connectionId, sessionId, userId), turn: rejoinWrite(sessionId, turnId, connectionId) });
      return;
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      if (error.failed.has("connection")) throw Connection.connectionGone();
    }
  }
  await Connection.subscribe(connectionId, sessionId, userId);
}

/** Whether anything was stored after the message (its reply; no user message can follow an unanswered one). */
const isAnswered = (session: Session.Info, message: MessageEntity.Message) => session.messageCount > message.seq;

const nowSeconds = () => Math.floor(Date.now() / 1000);
