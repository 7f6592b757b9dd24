import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { decodeCursor, encodeCursor, type CursorBinding } from "../cursor";
import { VisibleError } from "../error";
import { documentClient, queryUpTo, tableName } from "../table";
import { clock } from "../clock";
import type { ListQuery } from "./keys";
import type { Page } from "./shared";

/**
 * A page over one or more Queries read one after another (e.g. the runs of
 * every status). A cursor is the last key read, and which list's cursor
 * format it satisfies says where to go on; the formats of different lists
 * never overlap (they pin different index partitions or sort-key prefixes).
 */
export async function pageLists<T>(
  lists: readonly ListQuery[],
  input: { limit: number; cursor?: string },
  map: (item: Record<string, unknown>) => T,
): Promise<Page<T>> {
  let first = 0;
  let startKey: Record<string, string> | undefined;
  if (input.cursor !== undefined) {
    const found = locate(lists, input.cursor);
    first = found.list;
    startKey = found.key;
  }
  const items: Record<string, unknown>[] = [];
  for (let i = first; i < lists.length; i++) {
    const list = lists[i]!;
    const read = await queryUpTo(list.query, input.limit - items.length, i === first ? startKey : undefined);
    items.push(...read.items);
    if (items.length >= input.limit) {
      if (read.lastKey) return { items: items.map(map), nextCursor: encodeCursor(read.lastKey) };
      // This list ended exactly at the page's end: go on from its last item (the next Query finds nothing and moves on).
      const last = items.at(-1);
      const more = i < lists.length - 1 && last;
      return { items: items.map(map), nextCursor: more ? encodeCursor(keyOf(last, list.cursorFormat)) : undefined };
    }
  }
  return { items: items.map(map) };
}

function locate(lists: readonly ListQuery[], cursor: string): { list: number; key: Record<string, string> } {
  for (const [index, list] of lists.entries()) {
    let key: Record<string, string> | undefined;
    try {
      key = decodeCursor(cursor, list.cursorFormat);
    } catch (error) {
      if (!(error instanceof VisibleError)) throw error;
      continue;
    }
    if (key && (!list.accept || list.accept(key))) return { list: index, key };
  }
  throw new VisibleError("invalid", "cursor.invalid", "The cursor is not valid for this list");
}

const keyOf = (item: Record<string, unknown>, format: CursorBinding) =>
  Object.fromEntries(Object.keys(format.attributes).map((name) => [name, item[name]]));

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
