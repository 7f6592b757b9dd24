import { QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { decodeCursor, encodeCursor, type CursorBinding } from "../cursor";
import { documentClient, tableName } from "./client";

/**
 * The one paginator: every Query that reads more than one page goes through
 * here, so page-after-page loops and cursor handling exist once.
 */
export type TableItem = Record<string, unknown>;

/** A Query as its caller states it; the table, the start key and the page size are the paginator's. */
export type PagedQuery = Omit<QueryCommandInput, "TableName" | "ExclusiveStartKey" | "Limit">;

/** Every item of a Query, page after page. For bounded partitions only (one session's items, one caller's usage). */
export async function queryAll(input: Omit<QueryCommandInput, "TableName" | "ExclusiveStartKey">): Promise<TableItem[]> {
  const items: TableItem[] = [];
  let start: TableItem | undefined;
  do {
    const page = await documentClient.send(new QueryCommand({ ...input, TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

export interface PageRequest {
  limit: number;
  /** An opaque cursor from a previous page of the same list. */
  cursor?: string;
  /** The key a cursor into this list must hold, bound to the caller's partition. */
  cursorFormat: CursorBinding;
}

export interface ItemPage {
  items: TableItem[];
  nextCursor?: string;
}

/** One page of a list: at most `limit` items from the cursor on, and the cursor to the next page if there is one. */
export async function queryPage(input: PagedQuery, page: PageRequest): Promise<ItemPage> {
  const read = await queryUpTo(input, page.limit, decodeCursor(page.cursor, page.cursorFormat));
  return { items: read.items, nextCursor: encodeCursor(read.lastKey) };
}

/**
 * Up to `limit` items from `startKey` on, reading on while a filter leaves
 * the page short; `lastKey` is where the next read starts (none: the Query
 * is exhausted). For lists that page over several Queries in a row.
 */
export async function queryUpTo(input: PagedQuery, limit: number, startKey?: TableItem): Promise<{ items: TableItem[]; lastKey?: TableItem }> {
  const items: TableItem[] = [];
  let key = startKey;
  do {
    const result = await documentClient.send(
      new QueryCommand({ ...input, TableName: tableName, Limit: limit - items.length, ExclusiveStartKey: key }),
    );
    items.push(...(result.Items ?? []));
    key = result.LastEvaluatedKey;
  } while (key && items.length < limit);
  return { items, lastKey: key };
}
