import { DeleteCommand, GetCommand, PutCommand, TransactGetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "../zod";
import { assertUserId } from "../actor";
import * as MessageEntity from "../conversation/message";
import type { Message } from "../conversation/message";
import type * as Session from "../conversation/session";
import { loadOwnedSession, ownedSession } from "../conversation/store";
import { VisibleError } from "../error";
import { lockItem, membershipItem, messageItem, sessionItem, sessionPartition } from "../conversation/partition";
import { batchDelete, documentClient, queryAll, queryUpTo, tableName, transact, TransactionRefused, type TransactWrite } from "../table";
import { lockFromItem, noTurnCheck, rejoinWrite } from "../turn/lock";

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
  sessions: z._default(z.array(z.string()), []),
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
    // An update, not a put: a membership's other attributes (closeOnComplete) survive a rejoin or a send.
    membership: {
      Update: {
        TableName: tableName,
        Key: membershipItem.key(sessionId, connectionId),
        UpdateExpression: "SET #type = :type, connectionId = :connectionId, userId = :userId, #ttl = :ttl",
        ExpressionAttributeNames: { "#type": "type", "#ttl": "ttl" },
        ExpressionAttributeValues: { ":type": "membership", ":connectionId": connectionId, ":userId": userId, ":ttl": ttl() },
      },
    },
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
const MAX_JOIN_ATTEMPTS = 5;

/**
 * Joins the session and reads what the client missed: exactly the messages
 * after `afterSeq`, in order, up to a frame's worth (`hasMore` says to join
 * again from the last one received).
 *
 * The join takes effect at one instant, the transaction that subscribes the
 * connection: it holds only if the session has as many messages as were
 * read and the turn seen (or none) is still the one running. So every later
 * message reaches the connection live and none it has in its history does:
 * a reply being written when it joins is sent to it by the turn (the join
 * asks on the lock) as the text so far, then deltas. A session that moved
 * on between the reads and the transaction is read again.
 */
export async function joinWithHistory(connectionId: string, sessionId: string, afterSeq = 0) {
  const userId = assertUserId();
  for (let attempt = 1; ; attempt++) {
    const { session, lock } = await readSessionAndLock(sessionId, userId);
    const { history, hasMore } = await readMissed(sessionId, afterSeq, session.messageCount);
    try {
      await transact({
        ...joinWrites(connectionId, sessionId, userId),
        seen: {
          ConditionCheck: {
            TableName: tableName,
            Key: sessionItem.key(sessionId),
            ConditionExpression: "userId = :userId AND messageCount = :count",
            ExpressionAttributeValues: { ":userId": userId, ":count": session.messageCount },
          },
        },
        turn: lock ? rejoinWrite(sessionId, lock.turnId, connectionId) : noTurnCheck(sessionId),
      });
      return { session, history, hasMore };
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      if (error.failed.has("connection")) throw connectionGone();
      if (attempt >= MAX_JOIN_ATTEMPTS) throw new VisibleError("conflict", "session.busy", "The session is busy; join again", { retryable: true }, { cause: error });
    }
  }
}

/** The session (the caller's, or not found) and its running turn, if any, as of one instant. */
async function readSessionAndLock(sessionId: string, userId: string) {
  const result = await documentClient.send(
    new TransactGetCommand({
      TransactItems: [{ Get: { TableName: tableName, Key: sessionItem.key(sessionId) } }, { Get: { TableName: tableName, Key: lockItem.key(sessionId) } }],
    }),
  );
  const [session, lock] = result.Responses ?? [];
  return { session: ownedSession(session?.Item, userId), lock: lockFromItem(lock?.Item) };
}

/** Messages afterSeq+1 … upTo, read consistently (the join vouches for them), at most a frame's worth. */
async function readMissed(sessionId: string, afterSeq: number, upTo: number): Promise<{ history: Message[]; hasMore: boolean }> {
  const history: Message[] = [];
  if (upTo <= afterSeq) return { history, hasMore: false };
  let bytes = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await queryUpTo(
      {
        KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
        ExpressionAttributeValues: { ":pk": sessionPartition.pk(sessionId), ":from": messageItem.sort(afterSeq + 1), ":to": messageItem.sort(upTo) },
        ConsistentRead: true,
      },
      100,
      start,
    );
    for (const message of page.items.map(MessageEntity.fromItem)) {
      bytes += Buffer.byteLength(JSON.stringify(message));
      if (bytes > MAX_HISTORY_BYTES && history.length > 0) return { history, hasMore: true };
      history.push(message);
    }
    start = page.lastKey;
  } while (start);
  return { history, hasMore: false };
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

/**
 * Binds a connection opened for one session (`?templateId=`) to it: frames
 * without a session id (`user_message`) go to it (`boundSession`), and it is
 * closed once the session is complete (`closingOnComplete`).
 */
export async function bindToSession(sessionId: string, connectionId: string): Promise<void> {
  await transact({
    membership: {
      Update: {
        TableName: tableName,
        Key: membershipItem.key(sessionId, connectionId),
        UpdateExpression: "SET closeOnComplete = :yes",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":yes": true },
      },
    },
    connection: {
      Update: {
        TableName: tableName,
        Key: connectionKey(connectionId),
        UpdateExpression: "SET boundSessionId = :session",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":session": sessionId },
      },
    },
  });
}

/** The session a connection is bound to (`bindToSession`), if any. */
export async function boundSession(connectionId: string): Promise<string | undefined> {
  const result = await documentClient.send(new GetCommand({ TableName: tableName, Key: connectionKey(connectionId), ProjectionExpression: "boundSessionId" }));
  const bound = result.Item?.boundSessionId;
  return typeof bound === "string" ? bound : undefined;
}

/**
 * The connections a newer one replaces in a `last_wins` session: every other
 * connection of the session (all are its user's). Their memberships are
 * removed, so the session's events stop reaching them at once.
 */
export async function replacedBy(sessionId: string, connectionId: string): Promise<string[]> {
  const others = (await ofSession(sessionId)).filter((id) => id !== connectionId);
  for (const id of others) await removeMembership(sessionId, id);
  return others;
}

/** The session's connections that were opened for it alone, to close when it is complete. */
export async function closingOnComplete(sessionId: string): Promise<string[]> {
  const items = await queryAll({ ...sessionPartition.withPrefix(sessionId, membershipItem.prefix), ProjectionExpression: "connectionId, closeOnComplete" });
  return items.filter((item) => item.closeOnComplete === true).map((item) => String(item.connectionId));
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
