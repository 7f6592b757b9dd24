import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError } from "@coach/core/config";
import { HANG_CEILING_MS } from "../../../test/ceiling";
import { readLocalConfig } from "../src/config";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

describe("readLocalConfig", () => {
  it("fills the local defaults and the handlers' own", () => {
    const config = readLocalConfig({ DATA_DIR: "/tmp/coach-config" });
    expect(config).toMatchObject({
      port: 3000,
      wsPort: 3001,
      webPort: 3002,
      dataDir: "/tmp/coach-config",
      inMemory: false,
      tableName: "coach-local",
      tableNameFromEnvironment: false,
      region: "us-east-1",
      logLevel: "INFO",
      corsOrigin: "*",
      wsIdleTimeoutSeconds: 600,
      wsMaxDurationSeconds: 7200,
      throttle: { frameRatePerSecond: 200, frameBurst: 400, functionConcurrency: 16 },
    });
    expect(config.anthropicApiKey).toBeUndefined();
    expect(readLocalConfig({ TABLE_NAME: "coach-staging" })).toMatchObject({ tableName: "coach-staging", tableNameFromEnvironment: true });
  });

  it("ignores what the stack sets on the handlers itself", () => {
    expect(() => readLocalConfig({ JWT_JWKS_URI: "http://issuer.example/jwks", WEBSOCKET_MANAGEMENT_ENDPOINT: "nope" })).not.toThrow();
  });

  it("lists the local runtime's problems and the handlers' in one error", () => {
    let thrown: unknown;
    try {
      readLocalConfig({ PORT: "eighty", WS_FRAME_BURST: "0", TURN_LOCK_SECONDS: "0.5", OFFLINE_COACH_DELAY_MS: "-1" });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const variables = (thrown instanceof ConfigError ? thrown.issues : []).map((issue) => issue.variable).sort();
    expect(variables).toEqual(["OFFLINE_COACH_DELAY_MS", "PORT", "TURN_LOCK_SECONDS", "WS_FRAME_BURST"]);
  });
});

describe("pnpm start with a bad environment", () => {
  it("prints every problem at once, starts nothing and exits 1", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "coach-badenv-"));
    const result = spawnSync(process.execPath, [join(repoRoot, "node_modules/tsx/dist/cli.mjs"), "packages/local/src/start.ts"], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        DATA_DIR: dataDir,
        PORT: "eighty",
        WS_PORT: "70000",
        TURN_LOCK_SECONDS: "1.5",
        RATE_LIMIT_SESSION_PER_MINUTE: "0",
        OFFLINE_COACH_TODAY: "tomorrow",
        DYNAMODB_ENDPOINT: "not a url",
        ANTHROPIC_API_KEY: "sk-ant-start-SECRET",
        ANTHROPIC_MAX_TOKENS: "lots",
      },
      encoding: "utf8",
      timeout: HANG_CEILING_MS,
    });
    expect(result.status).toBe(1);
    expect(result.stdout).not.toContain("ready");
    for (const line of [
      'PORT must be a whole number from 0 to 65535, got "eighty"',
      'WS_PORT must be a whole number from 0 to 65535, got "70000"',
      'TURN_LOCK_SECONDS must be a whole number of at least 1, got "1.5"',
      'RATE_LIMIT_SESSION_PER_MINUTE must be a whole number of at least 1, got "0"',
      'OFFLINE_COACH_TODAY must be a date as YYYY-MM-DD, got "tomorrow"',
      'DYNAMODB_ENDPOINT must be an http(s) URL, got "not a url"',
      'ANTHROPIC_MAX_TOKENS must be a whole number from 1 to 128000, got "lots"',
    ]) {
      expect(result.stderr).toContain(line);
    }
    expect(result.stderr).toContain("Invalid configuration (7 problems)");
    expect(result.stderr).not.toContain("sk-ant-start-SECRET");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
