import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { ulid } from "ulid";
import * as z from "../zod";
import { assertUserId } from "../actor";
import { clock } from "../clock";
import { VisibleError } from "../error";
import { batchDelete, documentClient, queryPage, queryAll, tableName, transact, type TransactWrite } from "../table";
import { fn, invalidInput, Metadata } from "../util";
import type { AnyFlow } from "../flow/plugin";
import { initialStateWrite } from "../flow/state";
import { startExpiry, unexpiredFilter } from "./expiry";
import { readHistory } from "./messages";
import * as Session from "./session";
import { sessionItem, sessionPartition, userSessions } from "./partition";
import { loadOwnedSession, updateOwnedSession } from "./store";

export const CreateInput = z.object({ metadata: z._default(Metadata, {}) });

/**
 * A new active session of `flow`, in its initial phase, with the flow's
 * initial state beside it (one transaction). `state`: a flow whose start
 * depends on more than its name (a questionnaire's pinned template) gives
 * its own first state. `expires`: the session expires a period after its
 * last activity (conversation/expiry.ts); `writes` then put its TTL
 * (`session.ttl`) on the items they add to its partition.
 */
export async function create(
  raw: z.input<typeof CreateInput>,
  flow: AnyFlow,
  options: { state?: unknown; writes?: (session: Session.Info) => Record<string, TransactWrite>; expires?: boolean } = {},
): Promise<Session.Info> {
  const parsed = CreateInput.safeParse(raw);
  if (!parsed.success) throw invalidInput(parsed.error);
  const userId = assertUserId();
  const nowMs = clock.nowMs();
  const now = new Date(nowMs).toISOString();
  const session: Session.Info = {
    id: `ses_${ulid()}`,
    userId,
    flow: flow.name,
    phase: flow.initialPhase,
    status: "active",
    isResolved: false,
    messageCount: 0,
    lastActivity: now,
    createdAt: now,
    metadata: parsed.data.metadata,
    version: 1,
    ...(options.expires ? startExpiry(nowMs) : {}),
  };
  await transact({
    session: { Put: { TableName: tableName, Item: Session.toItem(session), ConditionExpression: "attribute_not_exists(pk)" } },
    state: initialStateWrite(session.id, flow, options.state, session.ttl),
    ...options.writes?.(session),
  });
  return session;
}

export const get = fn(Session.SessionId, (sessionId) => loadOwnedSession(sessionId));

export const ListType = z.enum(["active", "unresolved", "recent"]);
export type ListType = z.infer<typeof ListType>;

export const ListInput = z.object({
  type: z._default(ListType, "recent"),
  limit: z._default(z.number().check(z.int(), z.gte(1), z.lte(100)), 20),
  cursor: z.optional(z.string()),
});

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** A user's sessions of one kind, newest activity first; a Query on the index that serves the kind. Expired ones are filtered out: they are gone. */
export const list = fn(ListInput, async (input): Promise<Page<Session.Info>> => {
  const userId = assertUserId();
  const partition = userSessions.partition(userId);
  const unexpired = unexpiredFilter();
  const page = await queryPage(
    input.type === "recent"
      ? {
          IndexName: userSessions.byUserActivity.index,
          KeyConditionExpression: "gsi2pk = :pk",
          FilterExpression: unexpired.FilterExpression,
          ExpressionAttributeNames: unexpired.ExpressionAttributeNames,
          ExpressionAttributeValues: { ":pk": partition, ...unexpired.ExpressionAttributeValues },
          ScanIndexForward: false,
        }
      : {
          IndexName: userSessions.byUserState.index,
          KeyConditionExpression: "gsi1pk = :pk AND begins_with(gsi1sk, :state)",
          FilterExpression: unexpired.FilterExpression,
          ExpressionAttributeNames: unexpired.ExpressionAttributeNames,
          ExpressionAttributeValues: { ":pk": partition, ":state": userSessions.byUserState.sortPrefix(input.type), ...unexpired.ExpressionAttributeValues },
          ScanIndexForward: false,
        },
    {
      limit: input.limit,
      cursor: input.cursor,
      cursorFormat: input.type === "recent" ? userSessions.byUserActivity.cursorFormat(userId) : userSessions.byUserState.cursorFormat(userId, input.type),
    },
  );
  return { items: page.items.map(Session.fromItem), nextCursor: page.nextCursor };
});

export const ResumeInput = z.object({ sessionId: Session.SessionId, limit: z._default(z.number().check(z.int(), z.gte(1), z.lte(200)), 100) });

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

export const ResolveInput = z.object({ sessionId: Session.SessionId, notes: z.optional(z.string().check(z.maxLength(4000))) });

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
  const items = await queryAll({ ...sessionPartition.all(sessionId), ProjectionExpression: "pk, sk" });
  const children = items.map((item) => ({ pk: String(item.pk), sk: String(item.sk) })).filter((key) => key.sk !== sessionItem.sort);
  await batchDelete(children);
  await documentClient.send(
    new DeleteCommand({
      TableName: tableName,
      Key: sessionItem.key(sessionId),
      ConditionExpression: "userId = :userId",
      ExpressionAttributeValues: { ":userId": session.userId },
    }),
  );
});
