import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { VisibleError } from "../error";
import { documentClient, tableName } from "./client";

const TIMEOUT_MS = 2000;

/** Throws `table.unavailable` unless the table exists and is ACTIVE, within two seconds. */
export async function checkTable(): Promise<void> {
  try {
    const result = await documentClient.send(new DescribeTableCommand({ TableName: tableName }), {
      abortSignal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (result.Table?.TableStatus === "ACTIVE") return;
    throw new Error(`table status is ${result.Table?.TableStatus ?? "unknown"}`);
  } catch (error) {
    throw new VisibleError("unavailable", "table.unavailable", "The table is not reachable", undefined, { cause: error });
  }
}
