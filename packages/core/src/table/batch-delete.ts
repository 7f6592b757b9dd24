import { BatchWriteCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "./client";

const BATCH_SIZE = 25;
const MAX_ATTEMPTS = 8;

/**
 * Deletes the given keys in batches of 25, retrying what DynamoDB leaves
 * unprocessed with backoff. Throws if anything is still left, so a caller
 * never reports success over surviving items.
 */
export async function batchDelete(keys: readonly { pk: string; sk: string }[]): Promise<void> {
  for (let start = 0; start < keys.length; start += BATCH_SIZE) {
    let pending = keys.slice(start, start + BATCH_SIZE).map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > MAX_ATTEMPTS) throw new Error(`batchDelete: ${pending.length} items left unprocessed`);
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 10));
      const result = await documentClient.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (result.UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
  }
}
