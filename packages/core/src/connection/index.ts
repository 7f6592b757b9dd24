import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { assertUserId } from "../actor";
import type { Message } from "../conversation/message";
import { readHistory } from "../conversation/messages";
import type * as Session from "../conversation/session";
import { loadOwnedSession } from "../conversation/store";
import { notFound } from "../error";
import { batchDelete, documentClient, tableName } from "../table";

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

const keys = {
  connection: (connectionId: string) => ({ pk: `CONN#${connectionId}`, sk: "CONN" }),
  membership: (sessionId: string, connectionId: string) => ({ pk: `SESSION#${sessionId}`, sk: `CONN#${connectionId}` }),
  membershipPrefix: "CONN#",
};

const ttl = () => Math.floor(Date.now() / 1000) + CONNECTION_TTL_SECONDS;

export async function register(connectionId: string, userId: string): Promise<void> {
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...keys.connection(connectionId), type: "connection", connectionId, userId, connectedAt: new Date().toISOString(), ttl: ttl() },
    }),
  );
}

export async function get(connectionId: string): Promise<Connection | undefined> {
  const result = await documentClient.send(new GetCommand({ TableName: tableName, Key: keys.connection(connectionId) }));
  if (!result.Item) return undefined;
  const item = result.Item;
  return Connection.parse({ ...item, sessions: item.sessions ? [...(item.sessions as Set<string>)] : [] });
}

/** Subscribes the connection to a session the caller owns, and returns the session. */
export async function join(connectionId: string, sessionId: string): Promise<Session.Info> {
  const userId = assertUserId();
  const session = await loadOwnedSession(sessionId);
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...keys.membership(sessionId, connectionId), type: "membership", connectionId, userId, ttl: ttl() },
    }),
  );
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.connection(connectionId),
      UpdateExpression: "ADD #sessions :session",
      ConditionExpression: "attribute_exists(pk) AND userId = :userId",
      ExpressionAttributeNames: { "#sessions": "sessions" },
      ExpressionAttributeValues: { ":session": new Set([sessionId]), ":userId": userId },
    }),
  );
  return session;
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
  const ids: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": `SESSION#${sessionId}`, ":prefix": keys.membershipPrefix },
        ProjectionExpression: "connectionId",
        ExclusiveStartKey: start,
      }),
    );
    ids.push(...(page.Items ?? []).map((item) => String(item.connectionId)));
    start = page.LastEvaluatedKey;
  } while (start);
  return ids;
}

export async function removeMembership(sessionId: string, connectionId: string): Promise<void> {
  await documentClient.send(new DeleteCommand({ TableName: tableName, Key: keys.membership(sessionId, connectionId) }));
  await documentClient
    .send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.connection(connectionId),
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
  await batchDelete([...connection.sessions.map((sessionId) => keys.membership(sessionId, connectionId)), keys.connection(connectionId)]);
}

export function assertConnection(connection: Connection | undefined): Connection {
  if (!connection) throw notFound("Connection");
  return connection;
}
