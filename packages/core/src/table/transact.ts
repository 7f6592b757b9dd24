import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { TransactWriteCommand, type TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { documentClient } from "./client";

/** One write of a transaction, as TransactWriteItems takes it. */
export type TransactWrite = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/**
 * A transaction whose writes have names. When DynamoDB cancels it, the
 * cancellation reasons (which come back by position) are mapped to those
 * names, so a caller asks "was it the lock?" and never counts positions.
 */
export class TransactionRefused extends Error {
  override readonly name = "TransactionRefused";
  constructor(
    /** The writes whose condition failed. */
    readonly failed: ReadonlySet<string>,
    options: { cause: unknown },
  ) {
    super(`Transaction refused by ${[...failed].join(", ") || "a conflict"}`, options);
  }
}

export async function transact(writes: Readonly<Record<string, TransactWrite | undefined>>): Promise<void> {
  const named = Object.entries(writes).filter((entry): entry is [string, TransactWrite] => entry[1] !== undefined);
  try {
    await documentClient.send(new TransactWriteCommand({ TransactItems: named.map(([, write]) => write) }));
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    const failed = new Set(named.filter((_, i) => reasons[i]?.Code === "ConditionalCheckFailed").map(([name]) => name));
    throw new TransactionRefused(failed, { cause: error });
  }
}
