import { ulid } from "ulid";
import * as Conversation from "../conversation";
import type { TokenUsage } from "../conversation/message";
import { appendWrites } from "../conversation/messages";
import { sessionItem } from "../conversation/partition";
import type * as Session from "../conversation/session";
import { loadOwnedSession, updateSessionInput } from "../conversation/store";
import { VisibleError } from "../error";
import type { AnyFlow } from "../flow/plugin";
import { tableName, transact, TransactionRefused, type TransactWrite } from "../table";
import { acquireLockWrite, claimTurn, extendLock, lockSeconds, releaseLock, releaseLockWrite } from "../turn/lock";
import { toItem, type StoredResponse } from "./record";
import type { InputMessage } from "./request";

/** A session's turn lock held by a response while its reply is written. */
export interface HeldLock {
  sessionId: string;
  turnId: string;
}

export const notLatest = () =>
  new VisibleError(
    "conflict",
    "previous_response.not_latest",
    "The conversation has moved on since this response: continue from its latest response (to branch, send store: false, or start a new response with the history as input)",
    { param: "previous_response_id" },
  );

export const conversationBusy = () =>
  new VisibleError("conflict", "conversation.busy", "A reply is being written in this conversation; send the request again when it is complete", {
    param: "previous_response_id",
    retryable: true,
  });

/**
 * Takes the session's turn lock, the same one a web app or WebSocket turn
 * takes (one reply at a time per session), in one transaction with a check
 * that the session is as read: nothing added since the previous reply.
 */
export async function holdConversation(session: Session.Info): Promise<HeldLock> {
  const turnId = ulid();
  try {
    await transact({
      lock: acquireLockWrite(session.id, turnId, session.messageCount + 1),
      session: {
        ConditionCheck: {
          TableName: tableName,
          Key: sessionItem.key(session.id),
          ConditionExpression: "messageCount = :count",
          ExpressionAttributeValues: { ":count": session.messageCount },
        },
      },
    });
  } catch (error) {
    if (!(error instanceof TransactionRefused)) throw error;
    if (error.failed.has("session")) throw notLatest();
    throw conversationBusy();
  }
  return { sessionId: session.id, turnId };
}

/** Frees the session (a reply that failed or was left); another turn's lock is left alone. */
export const letGo = (lock: HeldLock) => releaseLock(lock.sessionId, lock.turnId);

/**
 * Keeps a held lock alive while the reply is written (it expires after
 * lockSeconds unless renewed): the first renewal claims it, later ones
 * extend it. A lock found lost aborts `lost`: the reply is then not stored.
 */
export function keepAlive(lock: HeldLock, lost: AbortController): { stop(): void } {
  const workerId = ulid();
  let claimed = false;
  let renewing = false;
  const timer = setInterval(() => {
    if (renewing) return;
    renewing = true;
    const renewal = claimed ? extendLock(lock.sessionId, lock.turnId, workerId) : claimTurn(lock.sessionId, lock.turnId, workerId).then((held) => held !== undefined);
    renewal
      .then((held) => {
        claimed = true;
        if (!held) lost.abort();
      })
      // A missed renewal is retried on the next tick, with two thirds of the period left.
      .catch(() => undefined)
      .finally(() => (renewing = false));
  }, (lockSeconds() * 1000) / 3);
  return { stop: () => clearInterval(timer) };
}

export interface Exchange {
  /** The session continued (and held), or none: a new session of `flow` is started. */
  continued?: { session: Session.Info; lock: HeldLock };
  flow: AnyFlow;
  input: readonly InputMessage[];
  reply: string;
  usage: TokenUsage;
  record: Omit<StoredResponse, "sessionId" | "firstSeq" | "replySeq" | "status" | "usage">;
}

const MAX_ATTEMPTS = 5;

/**
 * Stores the exchange as a turn of the session: the input messages, the
 * reply with its usage, the session's counters and the response record in
 * one transaction, which also releases the lock. A reply longer than a
 * message may be is stored cut and marked incomplete (the record says so).
 * A new session is created first, only now: a reply that failed leaves no
 * empty session behind.
 */
export async function storeExchange(exchange: Exchange): Promise<StoredResponse> {
  let session = exchange.continued?.session ?? (await Conversation.create({ metadata: { source: "v1/responses" } }, exchange.flow));
  const expectedCount = session.messageCount;
  const max = Conversation.MAX_CONTENT_LENGTH;
  const complete = exchange.reply.length > 0 && exchange.reply.length <= max;
  for (let attempt = 1; ; attempt++) {
    // The lock kept every turn out; only a direct append (a chat completion's thread_id) can have moved the session on.
    if (session.messageCount !== expectedCount) throw notLatest();
    const writes: Record<string, TransactWrite> = {};
    let next = session;
    for (const [index, message] of exchange.input.entries()) {
      const appended = appendWrites(next, { role: message.role, content: message.text, status: "complete" }, { evenIfEnded: true });
      writes[`input${index}`] = appended.writes.message;
      next = appended.session;
    }
    const replied = appendWrites(
      next,
      { role: "assistant", content: exchange.reply.length > 0 ? exchange.reply.slice(0, max) : "(empty reply)", status: complete ? "complete" : "incomplete", usage: exchange.usage },
      { evenIfEnded: true },
    );
    const record: StoredResponse = {
      ...exchange.record,
      sessionId: session.id,
      firstSeq: session.messageCount + 1,
      replySeq: replied.message.seq,
      status: complete ? "completed" : "incomplete",
      usage: exchange.usage,
    };
    writes.reply = replied.writes.message;
    writes.session = { Update: updateSessionInput({ ...replied.session, version: session.version + 1 }, session.version) };
    writes.record = { Put: { TableName: tableName, Item: toItem(record), ConditionExpression: "attribute_not_exists(pk)" } };
    if (exchange.continued) writes.release = releaseLockWrite(exchange.continued.lock.sessionId, exchange.continued.lock.turnId);
    try {
      await transact(writes);
      return record;
    } catch (error) {
      if (!(error instanceof TransactionRefused) || attempt >= MAX_ATTEMPTS) throw error;
      if (error.failed.has("release")) {
        throw new VisibleError("conflict", "conversation.lock_lost", "The reply took too long to store and the conversation moved on; send the request again", {
          retryable: true,
        });
      }
      // The session changed beside its messages (ended, resolved, renamed): store against it as it is now.
      if (!error.failed.has("session")) throw error;
      session = await loadOwnedSession(session.id);
    }
  }
}
