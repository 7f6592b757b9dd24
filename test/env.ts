import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import type { LocalConfig } from "../packages/local/src/config";

/** A local-stack configuration on the suite's DynamoDB Local, on a free port, with its own dev issuer keys. */
export function testStackConfig(overrides: Partial<LocalConfig> = {}): LocalConfig {
  return {
    port: 0,
    wsPort: 0,
    dataDir: mkdtempSync(join(tmpdir(), "coach-test-")),
    dynamodbEndpoint: inject("dynamodbEndpoint"),
    inMemory: true,
    tableName: inject("tableName"),
    logLevel: process.env.TEST_LOG_LEVEL ?? "SILENT",
    corsOrigin: "*",
    wsIdleTimeoutSeconds: 600,
    wsMaxDurationSeconds: 7200,
    ...overrides,
  };
}
