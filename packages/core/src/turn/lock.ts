import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { clock } from "../clock";
import { config } from "../config";
import { lockItem } from "../conversation/partition";
import { documentClient, tableName } from "../table";

/**
 * One in-flight AI turn per session: a lock item in the session's partition,
 * taken in the same transaction that stores the user message. It expires
 * (`expiresAt`, judged by core's clock), and a running turn keeps extending
 * it, so a crashed turn frees the session within one lock period instead of
 * wedging it.
 */
export const lockSeconds = (): number => config().turn.lockSeconds;

export interface TurnLock {
  turnId: string;
  userSeq: number;
  expiresAt: number;
  /** Set by the one worker that runs the turn; a duplicate delivery of the job finds it taken. */
  workerId?: string;
  /** The session's owner asked to stop the reply (stop_generation): the worker ends it as written so far. */
  stopRequested: boolean;
  /** Connections that joined while the turn ran, for the worker to send the reply so far (reply_in_progress). */
  rejoiners: string[];
}

/**
 * How often a running turn reads its lock for a stop request or a
 * connection that joined mid-reply: a read, never a write, and the bound on
 * how long either waits for the worker (stop ends a reply within a second).
 */
export const LOCK_WATCH_MS = 400;

const lockOf = (item: Record<string, unknown> | undefined): TurnLock | undefined => {
  if (!item || typeof item.expiresAt !== "number" || item.expiresAt < clock.nowMs()) return undefined;
  return {
    turnId: String(item.turnId),
    userSeq: Number(item.userSeq),
    expiresAt: item.expiresAt,
    workerId: item.workerId as string | undefined,
    stopRequested: item.stopRequested === true,
    rejoiners: item.rejoiners instanceof Set ? [...(item.rejoiners as Set<string>)].sort() : [],
  };
};

const lockKey = lockItem.key;

/** The Put that takes the lock inside a transaction: only when free or expired. */
export function acquireLockWrite(sessionId: string, turnId: string, userSeq: number, now = clock.nowMs()) {
  const expiresAt = now + lockSeconds() * 1000;
  return {
    Put: {
      TableName: tableName,
      Item: { ...lockKey(sessionId), type: "turn_lock", turnId, userSeq, expiresAt, ttl: Math.ceil(expiresAt / 1000) + 3600 },
      ConditionExpression: "attribute_not_exists(pk) OR expiresAt < :now",
      ExpressionAttributeValues: { ":now": now },
    },
  };
}

/** Takes the lock on its own (re-running a turn whose reply failed). False when another turn holds it. */
export async function acquireLock(sessionId: string, turnId: string, userSeq: number): Promise<boolean> {
  try {
    await documentClient.send(new PutCommand(acquireLockWrite(sessionId, turnId, userSeq).Put));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export async function readLock(sessionId: string): Promise<TurnLock | undefined> {
  const result = await documentClient.send(new GetCommand({ TableName: tableName, Key: lockKey(sessionId), ConsistentRead: true }));
  return lockOf(result.Item);
}

/** A lock item read along with other items of the partition (a Query), as the lock it is, if it holds. */
export const lockFromItem = lockOf;

/**
 * Claims the turn for one worker and extends the lock: the lock as it is
 * now (a stop may already be asked for), or undefined if the turn is gone or
 * another worker has it.
 */
export async function claimTurn(sessionId: string, turnId: string, workerId: string): Promise<TurnLock | undefined> {
  try {
    const result = await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: lockKey(sessionId),
        UpdateExpression: "SET workerId = :worker, expiresAt = :expiresAt",
        ConditionExpression: "turnId = :turn AND expiresAt >= :now AND attribute_not_exists(workerId)",
        ExpressionAttributeValues: { ":worker": workerId, ":turn": turnId, ":now": clock.nowMs(), ":expiresAt": clock.nowMs() + lockSeconds() * 1000 },
        ReturnValues: "ALL_NEW",
      }),
    );
    return lockOf(result.Attributes);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** Asks the running turn to stop; false when no turn holds the lock (nothing to stop). */
export async function requestStop(sessionId: string): Promise<boolean> {
  return conditionalUpdate(sessionId, {
    UpdateExpression: "SET stopRequested = :yes",
    ConditionExpression: "attribute_exists(pk) AND expiresAt >= :now",
    ExpressionAttributeValues: { ":yes": true, ":now": clock.nowMs() },
  });
}

/**
 * The write, in a join's transaction, that asks the running turn `turnId`
 * to send the joining connection the reply so far; it fails when that turn
 * has ended meanwhile (its reply is then in the history to read again).
 */
export function rejoinWrite(sessionId: string, turnId: string, connectionId: string) {
  return {
    Update: {
      TableName: tableName,
      Key: lockKey(sessionId),
      UpdateExpression: "ADD rejoiners :connection",
      ConditionExpression: "turnId = :turn",
      ExpressionAttributeValues: { ":connection": new Set([connectionId]), ":turn": turnId },
    },
  };
}

/** The check, in a join's transaction, that no turn runs: a turn that started meanwhile fails it. */
export function noTurnCheck(sessionId: string) {
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: lockKey(sessionId),
      ConditionExpression: "attribute_not_exists(pk) OR expiresAt < :now",
      ExpressionAttributeValues: { ":now": clock.nowMs() },
    },
  };
}

/** Keeps a running turn's lock alive; false if it was lost (expired and taken by another turn). */
export async function extendLock(sessionId: string, turnId: string, workerId: string): Promise<boolean> {
  return conditionalUpdate(sessionId, {
    UpdateExpression: "SET expiresAt = :expiresAt",
    ConditionExpression: "turnId = :turn AND workerId = :worker",
    ExpressionAttributeValues: { ":worker": workerId, ":turn": turnId, ":expiresAt": clock.nowMs() + lockSeconds() * 1000 },
  });
}

/**
 * The Delete that releases the lock inside a transaction, only if this turn
 * still holds it and, when `rejoinersSeen` is given, no connection joined
 * since the worker last looked (it must be sent the reply before the lock goes).
 */
export function releaseLockWrite(sessionId: string, turnId: string, rejoinersSeen?: number) {
  if (rejoinersSeen === undefined) {
    return { Delete: { TableName: tableName, Key: lockKey(sessionId), ConditionExpression: "turnId = :turn", ExpressionAttributeValues: { ":turn": turnId } } };
  }
  return {
    Delete: {
      TableName: tableName,
      Key: lockKey(sessionId),
      ConditionExpression: "turnId = :turn AND (attribute_not_exists(rejoiners) OR size(rejoiners) <= :seen)",
      ExpressionAttributeValues: { ":turn": turnId, ":seen": rejoinersSeen },
    },
  };
}

/** Releases the lock if this turn still holds it; a lock another turn holds is left alone. */
export async function releaseLock(sessionId: string, turnId: string): Promise<void> {
  try {
    await documentClient.send(new DeleteCommand(releaseLockWrite(sessionId, turnId).Delete));
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

async function conditionalUpdate(
  sessionId: string,
  update: { UpdateExpression: string; ConditionExpression: string; ExpressionAttributeValues: Record<string, unknown> },
): Promise<boolean> {
  try {
    await documentClient.send(new UpdateCommand({ TableName: tableName, Key: lockKey(sessionId), ...update }));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
