import { DeleteCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { ulid } from "ulid";
import { z } from "zod";
import { assertUserId } from "../actor";
import { decodeCursor, encodeCursor, type CursorBinding } from "../cursor";
import { VisibleError } from "../error";
import { batchDelete, documentClient, tableName } from "../table";
import { fn, Metadata } from "../util";
import { defaultFlow, flowFor, flowNames } from "./flows";
import { readHistory } from "./messages";
import * as Session from "./session";
import { loadOwnedSession, queryAll, updateOwnedSession } from "./store";

export const CreateInput = z.object({
  flow: z.enum(flowNames).default(defaultFlow),
  metadata: Metadata.default({}),
});

export const create = fn(CreateInput, async (input): Promise<Session.Info> => {
  const userId = assertUserId();
  const now = new Date().toISOString();
  const session: Session.Info = {
    id: `ses_${ulid()}`,
    userId,
    flow: input.flow,
    phase: flowFor(input.flow).initialPhase,
    status: "active",
    isResolved: false,
    messageCount: 0,
    lastActivity: now,
    createdAt: now,
    metadata: input.metadata,
    version: 1,
  };
  await documentClient.send(
    new PutCommand({ TableName: tableName, Item: Session.toItem(session), ConditionExpression: "attribute_not_exists(pk)" }),
  );
  return session;
});

export const get = fn(Session.SessionId, (sessionId) => loadOwnedSession(sessionId));

export const ListType = z.enum(["active", "unresolved", "recent"]);
export type ListType = z.infer<typeof ListType>;

export const ListInput = z.object({
  type: ListType.default("recent"),
  limit: z.number().int().min(1).max(100).default(20),
  cursor: z.string().optional(),
});

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** A user's sessions of one kind, newest activity first; a Query on the index that serves the kind. */
export const list = fn(ListInput, async (input): Promise<Page<Session.Info>> => {
  const userId = assertUserId();
  const query: { index: string; condition: string; values: Record<string, string>; binding: CursorBinding } =
    input.type === "recent"
      ? {
          index: Session.sessionKeys.byUserActivity.index,
          condition: "gsi2pk = :pk",
          values: { ":pk": Session.sessionKeys.byUserActivity.partition(userId) },
          binding: {
            attributes: Session.sessionKeys.byUserActivity.cursorFormat,
            equals: { gsi2pk: Session.sessionKeys.byUserActivity.partition(userId) },
          },
        }
      : {
          index: Session.sessionKeys.byUserState.index,
          condition: "gsi1pk = :pk AND begins_with(gsi1sk, :state)",
          values: { ":pk": Session.sessionKeys.byUserState.partition(userId), ":state": Session.sessionKeys.byUserState.sortPrefix(input.type) },
          binding: {
            attributes: Session.sessionKeys.byUserState.cursorFormat(input.type),
            equals: { gsi1pk: Session.sessionKeys.byUserState.partition(userId) },
          },
        };
  const result = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: query.index,
      KeyConditionExpression: query.condition,
      ExpressionAttributeValues: query.values,
      ScanIndexForward: false,
      Limit: input.limit,
      ExclusiveStartKey: decodeCursor(input.cursor, query.binding),
    }),
  );
  return { items: (result.Items ?? []).map(Session.fromItem), nextCursor: encodeCursor(result.LastEvaluatedKey) };
});

export const ResumeInput = z.object({ sessionId: Session.SessionId, limit: z.number().int().min(1).max(200).default(100) });

/** Reactivates an unresolved session and returns it with the first page of its history. */
export const resume = fn(ResumeInput, async (input) => {
  const session = await updateOwnedSession(input.sessionId, (current) => {
    if (current.isResolved) throw new VisibleError("conflict", "session.resolved", "A resolved session cannot be resumed");
    if (current.status === "active") return current;
    const now = new Date().toISOString();
    return { ...current, status: "active", endedAt: undefined, lastActivity: now };
  });
  // updateOwnedSession has checked ownership; no second read of the session.
  const messages = await readHistory({ sessionId: input.sessionId, limit: input.limit });
  return { session, history: messages };
});

export const ResolveInput = z.object({ sessionId: Session.SessionId, notes: z.string().max(4000).optional() });

/** Marks the session resolved (which also ends it); resolving again only replaces the notes. */
export const resolve = fn(ResolveInput, (input) =>
  updateOwnedSession(input.sessionId, (current) => {
    const now = new Date().toISOString();
    return {
      ...current,
      status: "ended",
      isResolved: true,
      resolvedAt: current.resolvedAt ?? now,
      endedAt: current.endedAt ?? now,
      resolutionNotes: input.notes ?? current.resolutionNotes,
      lastActivity: now,
    };
  }),
);

/** Ends the session without resolving it, so it shows up as unresolved and can be resumed. */
export const end = fn(Session.SessionId, (sessionId) =>
  updateOwnedSession(sessionId, (current) => {
    if (current.status === "ended") return current;
    const now = new Date().toISOString();
    return { ...current, status: "ended", endedAt: now, lastActivity: now };
  }),
);

/**
 * Deletes the session and every item in its partition. Children go first and
 * the session item last, so a failure part-way leaves a session that can be
 * deleted again rather than orphaned items nobody can reach.
 */
export const remove = fn(Session.SessionId, async (sessionId) => {
  const session = await loadOwnedSession(sessionId);
  const items = await queryAll({
    KeyConditionExpression: "pk = :pk",
    ExpressionAttributeValues: { ":pk": Session.sessionKeys.partition(sessionId) },
    ProjectionExpression: "pk, sk",
  });
  const children = items
    .map((item) => ({ pk: String(item.pk), sk: String(item.sk) }))
    .filter((key) => key.sk !== Session.sessionKeys.sort);
  await batchDelete(children);
  await documentClient.send(
    new DeleteCommand({
      TableName: tableName,
      Key: { pk: Session.sessionKeys.partition(sessionId), sk: Session.sessionKeys.sort },
      ConditionExpression: "userId = :userId",
      ExpressionAttributeValues: { ":userId": session.userId },
    }),
  );
});
