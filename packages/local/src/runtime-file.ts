import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Where a running local stack is, written into its DATA_DIR so command-line
 * tools run beside it (`pnpm apikey`) reach the same DynamoDB and table.
 */
export interface RuntimeInfo {
  pid: number;
  httpUrl: string;
  wsUrl: string;
  webUrl?: string;
  dynamodbEndpoint: string;
  tableName: string;
}

const file = (dataDir: string) => join(dataDir, "runtime.json");

export function writeRuntimeInfo(dataDir: string, info: RuntimeInfo): void {
  writeFileSync(file(dataDir), `${JSON.stringify(info, null, 2)}\n`);
}

export function removeRuntimeInfo(dataDir: string): void {
  rmSync(file(dataDir), { force: true });
}

/** The running stack's info, or undefined when none runs with this DATA_DIR (a stale file of a dead process counts as none). */
export function readRuntimeInfo(dataDir: string): RuntimeInfo | undefined {
  let info: RuntimeInfo;
  try {
    info = JSON.parse(readFileSync(file(dataDir), "utf8")) as RuntimeInfo;
  } catch {
    return undefined;
  }
  try {
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined;
  }
}
