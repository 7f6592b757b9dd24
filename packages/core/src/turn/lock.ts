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
}

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
  const item = result.Item;
  if (!item || typeof item.expiresAt !== "number" || item.expiresAt < clock.nowMs()) return undefined;
  return { turnId: String(item.turnId), userSeq: Number(item.userSeq), expiresAt: item.expiresAt, workerId: item.workerId as string | undefined };
}

/** Claims the turn for one worker and extends the lock; false if the turn is gone or another worker has it. */
export async function claimTurn(sessionId: string, turnId: string, workerId: string): Promise<boolean> {
  return conditionalUpdate(sessionId, {
    UpdateExpression: "SET workerId = :worker, expiresAt = :expiresAt",
    ConditionExpression: "turnId = :turn AND expiresAt >= :now AND attribute_not_exists(workerId)",
    ExpressionAttributeValues: { ":worker": workerId, ":turn": turnId, ":now": clock.nowMs(), ":expiresAt": clock.nowMs() + lockSeconds() * 1000 },
  });
}

/** Keeps a running turn's lock alive; false if it was lost (expired and taken by another turn). */
export async function extendLock(sessionId: string, turnId: string, workerId: string): Promise<boolean> {
  return conditionalUpdate(sessionId, {
    UpdateExpression: "SET expiresAt = :expiresAt",
    ConditionExpression: "turnId = :turn AND workerId = :worker",
    ExpressionAttributeValues: { ":worker": workerId, ":turn": turnId, ":expiresAt": clock.nowMs() + lockSeconds() * 1000 },
  });
}

/** The Delete that releases the lock inside a transaction, only if this turn still holds it. */
export function releaseLockWrite(sessionId: string, turnId: string) {
  return {
    Delete: {
      TableName: tableName,
      Key: lockKey(sessionId),
      ConditionExpression: "turnId = :turn",
      ExpressionAttributeValues: { ":turn": turnId },
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
