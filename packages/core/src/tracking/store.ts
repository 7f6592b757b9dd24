import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { PutCommand, QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { decodeCursor, encodeCursor, type CursorBinding } from "../cursor";
import { VisibleError } from "../error";
import { documentClient, tableName } from "../table";
import { clock } from "./clock";
import type { Page } from "./shared";

/**
 * One Query of a list: its key condition (and filter), and the exact key
 * format a cursor into it may hold. `accept` checks what a regex cannot
 * (a heartbeat cursor must lie before the cutoff, or DynamoDB would reject
 * the start key as outside the key condition).
 */
export interface Segment {
  query: Omit<QueryCommandInput, "TableName" | "Limit" | "ExclusiveStartKey">;
  binding: CursorBinding;
  accept?: (key: Record<string, string>) => boolean;
}

/**
 * A page over one or more Queries read one after another (e.g. the sessions
 * of every status). A cursor is the last key read, and which segment's
 * binding it satisfies says where to go on; bindings of different segments
 * never overlap (they pin different index partitions).
 */
export async function pageSegments<T>(
  segments: readonly Segment[],
  input: { limit: number; cursor?: string },
  map: (item: Record<string, unknown>) => T,
): Promise<Page<T>> {
  let first = 0;
  let startKey: Record<string, string> | undefined;
  if (input.cursor !== undefined) {
    const found = locate(segments, input.cursor);
    first = found.segment;
    startKey = found.key;
  }
  const items: Record<string, unknown>[] = [];
  for (let i = first; i < segments.length; i++) {
    const segment = segments[i]!;
    let key: Record<string, unknown> | undefined = i === first ? startKey : undefined;
    let lastOfSegment: Record<string, unknown> | undefined;
    do {
      const result = await documentClient.send(
        new QueryCommand({ ...segment.query, TableName: tableName, Limit: input.limit - items.length, ExclusiveStartKey: key }),
      );
      const found = result.Items ?? [];
      items.push(...found);
      lastOfSegment = found.at(-1) ?? lastOfSegment;
      key = result.LastEvaluatedKey;
    } while (key && items.length < input.limit);
    if (items.length >= input.limit) {
      if (key) return { items: items.map(map), nextCursor: encodeCursor(key) };
      // This segment ended exactly at the page's end: go on from its last item (the next Query finds nothing and moves on).
      const more = i < segments.length - 1 && lastOfSegment;
      return { items: items.map(map), nextCursor: more ? encodeCursor(keyOf(lastOfSegment!, segment.binding)) : undefined };
    }
  }
  return { items: items.map(map) };
}

function locate(segments: readonly Segment[], cursor: string): { segment: number; key: Record<string, string> } {
  for (const [index, segment] of segments.entries()) {
    let key: Record<string, string> | undefined;
    try {
      key = decodeCursor(cursor, segment.binding);
    } catch (error) {
      if (!(error instanceof VisibleError)) throw error;
      continue;
    }
    if (key && (!segment.accept || segment.accept(key))) return { segment: index, key };
  }
  throw new VisibleError("invalid", "cursor.invalid", "The cursor is not valid for this list");
}

const keyOf = (item: Record<string, unknown>, binding: CursorBinding) =>
  Object.fromEntries(Object.keys(binding.attributes).map((name) => [name, item[name]]));

/** How many items a Query matches, page after page (`Select: COUNT` reads no attributes back). */
export async function countQuery(query: Omit<QueryCommandInput, "TableName" | "Select" | "ExclusiveStartKey">): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(new QueryCommand({ ...query, TableName: tableName, Select: "COUNT", ExclusiveStartKey: start }));
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

/** Every item of a Query, page after page. For bounded partitions only (one session's items). */
export async function queryAll(query: Omit<QueryCommandInput, "TableName" | "ExclusiveStartKey">) {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(new QueryCommand({ ...query, TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Optimistic writes are retried this often before the caller is told to try again. */
export const MAX_ATTEMPTS = 4;

export const busy = (what: string, cause: unknown) =>
  new VisibleError("conflict", "tracking.busy", `The ${what} changed concurrently; try again`, undefined, { cause });

/**
 * Read-modify-write under an item's `version`: `change` returns the next
 * state (or the same object for no change); a concurrent writer fails the
 * version check and the change is re-applied to the fresh state.
 */
export async function modifyVersioned<T extends { version: number; updatedAt: string }>(
  what: string,
  load: () => Promise<T>,
  change: (current: T, now: string) => T,
  toItem: (value: T) => Record<string, unknown>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const current = await load();
    const now = clock.now();
    const next = change(current, now);
    if (next === current) return current;
    const updated: T = { ...next, updatedAt: now, version: current.version + 1 };
    try {
      await documentClient.send(
        new PutCommand({
          TableName: tableName,
          Item: toItem(updated),
          ConditionExpression: "#version = :expected",
          ExpressionAttributeNames: { "#version": "version" },
          ExpressionAttributeValues: { ":expected": current.version },
        }),
      );
      return updated;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (attempt >= MAX_ATTEMPTS) throw busy(what, error);
    }
  }
}
