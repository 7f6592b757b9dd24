import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { assertUserId } from "../actor";
import { notFound, VisibleError } from "../error";
import { documentClient, tableName } from "../table";
import { isExpired } from "./expiry";
import { sessionItem } from "./partition";
import * as Session from "./session";

/**
 * Reads the session and checks the caller owns it. Someone else's session
 * answers exactly like a missing one, so ids cannot be probed.
 */
export async function loadOwnedSession(sessionId: string): Promise<Session.Info> {
  const userId = assertUserId();
  const result = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: sessionItem.key(sessionId),
      ConsistentRead: true,
    }),
  );
  return ownedSession(result.Item, userId);
}

/**
 * The session in a session item read elsewhere (a partition Query), if it is
 * the caller's; like a missing one otherwise. An expired session (an
 * incomplete questionnaire past its `expiresAt`, by core's clock) is gone
 * from this instant on, whether or not DynamoDB's TTL has removed it yet.
 */
export function ownedSession(item: Record<string, unknown> | undefined, userId = assertUserId()): Session.Info {
  if (!item || item.userId !== userId || isExpired(item)) throw notFound("Session");
  return Session.fromItem(item);
}

const MAX_ATTEMPTS = 4;

/**
 * Read-modify-write of a session under optimistic concurrency: `change`
 * returns the next state (or the same object for no change); a concurrent
 * writer makes the version check fail and the change is re-applied to the
 * fresh state.
 */
export async function updateOwnedSession(
  sessionId: string,
  change: (session: Session.Info) => Session.Info,
): Promise<Session.Info> {
  for (let attempt = 1; ; attempt++) {
    const current = await loadOwnedSession(sessionId);
    const next = change(current);
    if (next === current) return current;
    const updated = { ...next, version: current.version + 1 };
    try {
      await documentClient.send(updateSessionCommand(updated, current.version));
      return updated;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) || attempt >= MAX_ATTEMPTS) {
        if (error instanceof ConditionalCheckFailedException) {
          throw new VisibleError("conflict", "session.busy", "The session changed concurrently; try again", undefined, { cause: error });
        }
        throw error;
      }
    }
  }
}

/** An UpdateItem that writes every attribute of the session item, conditioned on its version. */
export function updateSessionCommand(session: Session.Info, expectedVersion: number) {
  return new UpdateCommand(updateSessionInput(session, expectedVersion));
}

const optionalAttributes = ["resolutionNotes", "endedAt", "resolvedAt", "expiresAt", "ttl"] as const;

export function updateSessionInput(session: Session.Info, expectedVersion: number) {
  const { pk, sk, ...attributes } = Session.toItem(session);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ":expected": expectedVersion };
  const sets: string[] = [];
  const removes: string[] = [];
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    sets.push(`#${name} = :${name}`);
  }
  // Optional attributes the new state no longer has must not survive from the old one.
  for (const optional of optionalAttributes) {
    if (attributes[optional] !== undefined) continue;
    names[`#${optional}`] = optional;
    removes.push(`#${optional}`);
  }
  return {
    TableName: tableName,
    Key: { pk, sk },
    UpdateExpression: `SET ${sets.join(", ")}${removes.length ? ` REMOVE ${removes.join(", ")}` : ""}`,
    ConditionExpression: "#version = :expected",
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
