import { ConfigError } from "@coach/core/config";
import { readLocalConfig } from "./config";
import { readRuntimeInfo } from "./runtime-file";

/**
 * For the table tools (`pnpm apikey`, `pnpm migrate`): the table of the
 * stack running with this DATA_DIR, or, with TABLE_NAME set (and AWS
 * credentials), a deployed stage's table. Sets the environment core reads
 * on first use, so import core only after calling it; exits with a clear
 * message when there is no table to work on.
 */
export function useTargetTable(whatFor: string): void {
  let local;
  try {
    local = readLocalConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  if (local.tableNameFromEnvironment) return;
  const runtime = readRuntimeInfo(local.dataDir);
  if (!runtime) {
    console.error(`No local stack is running with this DATA_DIR. Start it with \`pnpm start\`, or set TABLE_NAME (and AWS credentials) to ${whatFor} a deployed stage's table.`);
    process.exit(1);
  }
  Object.assign(process.env, { TABLE_NAME: runtime.tableName, DYNAMODB_ENDPOINT: runtime.dynamodbEndpoint });
}
