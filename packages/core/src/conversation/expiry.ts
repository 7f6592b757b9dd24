import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { clock } from "../clock";
import { config } from "../config";
import { documentClient, queryAll, tableName } from "../table";
import { sessionItem, sessionPartition, sessionTtl, type ItemKey } from "./partition";
import type * as Session from "./session";

/**
 * Expiring sessions: an incomplete questionnaire is gone a period (24 h by
 * default, QUESTIONNAIRE_EXPIRY_HOURS) after its last activity — a message
 * stored, the user's or the reply. Two instants on the session item:
 *
 * - `expiresAt`, the logical expiry (last activity + the period), judged by
 *   core's clock: from then on every reader treats the session as missing
 *   (`ownedSession`, the lists), at once — DynamoDB's TTL deletes items
 *   only eventually (hours later on AWS, never on DynamoDB Local), so it
 *   never decides whether a session still exists.
 * - `ttl`, the physical horizon every item of the partition that belongs to
 *   the session carries (`sessionTtl` in partition.ts), so DynamoDB removes
 *   all of it. Moving it on every turn would rewrite every item on every
 *   turn; instead new items are written with the session's current horizon,
 *   and only an activity that finds it closer than 1.5 periods moves it to
 *   2 periods ahead and re-stamps the older items: about once a period of
 *   activity, not once a turn. After every activity the horizon is at least
 *   half a period past `expiresAt`, so no item of a live session is ever
 *   removed before the session.
 *
 * A session stops expiring when it is complete (`stopExpiring`); sessions
 * that never had an expiry (every other flow) pay nothing: no attribute, no
 * call.
 */

const HOUR_MS = 60 * 60 * 1000;
/** Parallel UpdateItems of one re-stamp: a partition is a few hundred items at most. */
const RESTAMP_CONCURRENCY = 16;

export type Expiry = Required<Pick<Session.Info, "expiresAt" | "ttl">>;

/** The configured period, read once per process by the config. */
export const expiryPeriodMs = (): number => config().questionnaire.expiryHours * HOUR_MS;

const iso = (ms: number) => new Date(ms).toISOString();
const horizonAfter = (nowMs: number, periodMs: number) => Math.ceil((nowMs + 2 * periodMs) / 1000);

/** The expiry of a session created now: a period from now, its horizon two periods from now. */
export function startExpiry(nowMs = clock.nowMs()): Expiry {
  const period = expiryPeriodMs();
  return { expiresAt: iso(nowMs + period), ttl: horizonAfter(nowMs, period) };
}

/**
 * An expiring session's expiry after an activity at `nowMs`: `expiresAt` a
 * period from now; the horizon moved (`restamp`: the new one, for the older
 * items) only when it was less than 1.5 periods away. Undefined for a
 * session that does not expire.
 */
export function afterActivity(session: Pick<Session.Info, "expiresAt" | "ttl">, nowMs: number): { expiry: Expiry; restamp?: number } | undefined {
  if (session.expiresAt === undefined) return undefined;
  const period = expiryPeriodMs();
  const expiresAt = iso(nowMs + period);
  if (session.ttl !== undefined && session.ttl * 1000 >= nowMs + 1.5 * period) return { expiry: { expiresAt, ttl: session.ttl } };
  const ttl = horizonAfter(nowMs, period);
  return { expiry: { expiresAt, ttl }, restamp: ttl };
}

/** Whether a session item read from the table is past its expiry: it answers as a missing one. */
export function isExpired(item: Record<string, unknown>, nowMs = clock.nowMs()): boolean {
  return typeof item.expiresAt === "string" && Date.parse(item.expiresAt) <= nowMs;
}

/** A Query filter that leaves out expired session items (the lists of a user's sessions). */
export function unexpiredFilter(nowMs = clock.nowMs()) {
  return {
    FilterExpression: "attribute_not_exists(#expiresAt) OR #expiresAt > :now",
    ExpressionAttributeNames: { "#expiresAt": "expiresAt" },
    ExpressionAttributeValues: { ":now": iso(nowMs) },
  };
}

/**
 * Moves the horizon of the session's older items to `ttl` (never back, and
 * never onto an item without one: a session that stopped expiring stays
 * so). Called before the activity's own transaction, which writes the
 * session item and its new item with `ttl`: a failure here fails the
 * activity before anything is stored, and its retry re-stamps again.
 */
export async function moveHorizon(sessionId: string, ttl: number): Promise<void> {
  const items = await carriers(sessionId);
  const behind = items.filter((item) => typeof item.ttl === "number" && item.ttl < ttl);
  await forEach(behind, (key) =>
    stamp({
      Key: key,
      UpdateExpression: "SET #ttl = :ttl",
      ConditionExpression: "attribute_exists(pk) AND #ttl < :ttl",
      ExpressionAttributeNames: { "#ttl": "ttl" },
      ExpressionAttributeValues: { ":ttl": ttl },
    }),
  );
}

/**
 * The session stops expiring (a questionnaire completed): the TTL is removed
 * from every item of its partition that carried the session's, then
 * `expiresAt` and `ttl` from the session item, last — until that write the
 * session is still an expiring one, so a failure midway leaves nothing
 * removed by DynamoDB that the session still shows, and running this again
 * finishes it. Returns the session as it is now (one version on, as the
 * session item). Memberships, resend records and the turn lock keep their
 * own short TTL.
 */
export async function stopExpiring(session: Session.Info): Promise<Session.Info> {
  if (session.expiresAt === undefined && session.ttl === undefined) return session;
  const items = await carriers(session.id);
  await forEach(
    items.filter((item) => item.ttl !== undefined),
    (key) => stamp({ Key: key, UpdateExpression: "REMOVE #ttl", ConditionExpression: "attribute_exists(pk)", ExpressionAttributeNames: { "#ttl": "ttl" } }),
  );
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: sessionItem.key(session.id),
      UpdateExpression: "REMOVE #expiresAt, #ttl ADD #version :one",
      ConditionExpression: "attribute_exists(pk)",
      ExpressionAttributeNames: { "#expiresAt": "expiresAt", "#ttl": "ttl", "#version": "version" },
      ExpressionAttributeValues: { ":one": 1 },
    }),
  );
  const { expiresAt: _expiresAt, ttl: _ttl, ...rest } = session;
  return { ...rest, version: session.version + 1 };
}

/** The keys and TTL of the partition's items that carry the session's TTL (the session item aside). */
async function carriers(sessionId: string): Promise<(ItemKey & { ttl?: unknown })[]> {
  const items = await queryAll({
    ...sessionPartition.all(sessionId),
    ProjectionExpression: "pk, sk, #ttl",
    ExpressionAttributeNames: { "#ttl": "ttl" },
    ConsistentRead: true,
  });
  return items
    .map((item) => ({ pk: String(item.pk), sk: String(item.sk), ttl: item.ttl }))
    .filter((item) => sessionTtl.carried(item.sk));
}

async function forEach(items: readonly (ItemKey & { ttl?: unknown })[], write: (key: ItemKey) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += RESTAMP_CONCURRENCY) {
    await Promise.all(items.slice(start, start + RESTAMP_CONCURRENCY).map(({ pk, sk }) => write({ pk, sk })));
  }
}

/** One item's TTL changed; an item deleted meanwhile (or already stamped further) is left as it is, never recreated. */
async function stamp(input: Omit<ConstructorParameters<typeof UpdateCommand>[0], "TableName">): Promise<void> {
  try {
    await documentClient.send(new UpdateCommand({ TableName: tableName, ...input }));
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
