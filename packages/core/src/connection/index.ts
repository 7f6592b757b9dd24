import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { assertUserId } from "../actor";
import type { Message } from "../conversation/message";
import { readHistory } from "../conversation/messages";
import type * as Session from "../conversation/session";
import { loadOwnedSession } from "../conversation/store";
import { VisibleError } from "../error";
import { membershipItem, sessionPartition } from "../conversation/partition";
import { batchDelete, documentClient, queryAll, tableName, transact, TransactionRefused, type TransactWrite } from "../table";

/**
 * WebSocket connections. A connection item (by connection id, for cleanup
 * and for who is calling) plus one membership item per joined session in the
 * session's partition, so fan-out is a Query, never a Scan. Both carry a TTL
 * a little past API Gateway's two-hour connection cap, so records of
 * connections that vanished without a $disconnect expire on their own.
 */
export const CONNECTION_TTL_SECONDS = 2 * 60 * 60 + 10 * 60;

export const Connection = z.object({
  connectionId: z.string(),
  userId: z.string(),
  connectedAt: z.string(),
  sessions: z.array(z.string()).default([]),
});
export type Connection = z.infer<typeof Connection>;

/** The connection item, in its own partition: who is connected and which sessions it joined, for cleanup. */
const connectionKey = (connectionId: string) => ({ pk: `CONNECTION#${connectionId}`, sk: "CONNECTION" });

const ttl = () => Math.floor(Date.now() / 1000) + CONNECTION_TTL_SECONDS;

export async function register(connectionId: string, userId: string): Promise<void> {
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...connectionKey(connectionId), type: "connection", connectionId, userId, connectedAt: new Date().toISOString(), ttl: ttl() },
    }),
  );
}

export async function get(connectionId: string): Promise<Connection | undefined> {
  const result = await documentClient.send(new GetCommand({ TableName: tableName, Key: connectionKey(connectionId) }));
  if (!result.Item) return undefined;
  const item = result.Item;
  return Connection.parse({ ...item, sessions: item.sessions ? [...(item.sessions as Set<string>)] : [] });
}

/**
 * The writes that subscribe a connection to a session: the membership item
 * in the session's partition (fan-out) and the session on the connection
 * item (cleanup), which must be the caller's. Named, for a caller's
 * transaction; `connection` fails when the connection is gone or not the caller's.
 */
export function joinWrites(connectionId: string, sessionId: string, userId: string) {
  return {
    membership: { Put: { TableName: tableName, Item: { ...membershipItem.key(sessionId, connectionId), type: "membership", connectionId, userId, ttl: ttl() } } },
    connection: {
      Update: {
        TableName: tableName,
        Key: connectionKey(connectionId),
        UpdateExpression: "ADD #sessions :session",
        ConditionExpression: "attribute_exists(pk) AND userId = :userId",
        ExpressionAttributeNames: { "#sessions": "sessions" },
        ExpressionAttributeValues: { ":session": new Set([sessionId]), ":userId": userId },
      },
    },
  } satisfies Record<string, TransactWrite>;
}

export const connectionGone = () => new VisibleError("unauthorized", "connection.unknown", "This connection is not registered; reconnect");

/** Subscribes the connection to a session the caller owns (one transaction), and returns the session. */
export async function join(connectionId: string, sessionId: string): Promise<Session.Info> {
  const userId = assertUserId();
  const session = await loadOwnedSession(sessionId);
  await subscribe(connectionId, sessionId, userId);
  return session;
}

/** The subscription alone, for a caller that has checked the session is the caller's. */
export async function subscribe(connectionId: string, sessionId: string, userId: string): Promise<void> {
  try {
    await transact(joinWrites(connectionId, sessionId, userId));
  } catch (error) {
    if (error instanceof TransactionRefused && error.failed.has("connection")) throw connectionGone();
    throw error;
  }
}

/** API Gateway messages carry at most 128 KB; history beyond this goes out in the next join. */
const MAX_HISTORY_BYTES = 96 * 1024;

/**
 * Joins the session and reads what the client missed: exactly the messages
 * after `afterSeq`, in order, up to a frame's worth (`hasMore` says to join
 * again from the last one received). Ownership is checked once, by `join`.
 */
export async function joinWithHistory(connectionId: string, sessionId: string, afterSeq = 0) {
  const session = await join(connectionId, sessionId);
  const history: Message[] = [];
  let bytes = 0;
  let cursor: string | undefined;
  do {
    const page = await readHistory(cursor ? { sessionId, limit: 100, cursor } : { sessionId, limit: 100, afterSeq });
    for (const message of page.messages) {
      bytes += Buffer.byteLength(JSON.stringify(message));
      if (bytes > MAX_HISTORY_BYTES && history.length > 0) return { session, history, hasMore: true };
      history.push(message);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return { session, history, hasMore: false };
}

export async function leave(connectionId: string, sessionId: string): Promise<void> {
  assertUserId();
  await removeMembership(sessionId, connectionId);
}

/** The connection ids subscribed to a session. */
export async function ofSession(sessionId: string): Promise<string[]> {
  const items = await queryAll({ ...sessionPartition.withPrefix(sessionId, membershipItem.prefix), ProjectionExpression: "connectionId" });
  return items.map((item) => String(item.connectionId));
}

export async function removeMembership(sessionId: string, connectionId: string): Promise<void> {
  await documentClient.send(new DeleteCommand({ TableName: tableName, Key: membershipItem.key(sessionId, connectionId) }));
  await documentClient
    .send(
      new UpdateCommand({
        TableName: tableName,
        Key: connectionKey(connectionId),
        UpdateExpression: "DELETE #sessions :session",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: { "#sessions": "sessions" },
        ExpressionAttributeValues: { ":session": new Set([sessionId]) },
      }),
    )
    .catch((error: unknown) => {
      if (!(error instanceof Error && error.name === "ConditionalCheckFailedException")) throw error;
    });
}

/** Removes every record of a connection: on $disconnect, and when a post finds it gone (410). */
export async function forget(connectionId: string): Promise<void> {
  const connection = await get(connectionId);
  if (!connection) return;
  await batchDelete([...connection.sessions.map((sessionId) => membershipItem.key(sessionId, connectionId)), connectionKey(connectionId)]);
}
