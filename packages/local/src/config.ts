import { resolve } from "node:path";
import { defaultThrottle, type ThrottleSettings } from "./throttle";

/**
 * The local runtime's configuration, from the environment only. Every
 * variable is listed in the README's configuration table.
 */
export interface LocalConfig {
  port: number;
  wsPort: number;
  dataDir: string;
  /** Use this DynamoDB instead of starting DynamoDB Local. */
  dynamodbEndpoint?: string;
  /** Keep DynamoDB Local's data in memory instead of under dataDir. */
  inMemory: boolean;
  tableName: string;
  logLevel: string;
  corsOrigin: string;
  anthropicApiKey?: string;
  /** No frame from a client for this long closes it (API Gateway: 10 minutes). */
  wsIdleTimeoutSeconds: number;
  /** Longest a connection may live (API Gateway: 2 hours). */
  wsMaxDurationSeconds: number;
  /** Per-connection frame rate and per-function concurrency; `defaultThrottle` when absent. */
  throttle?: ThrottleSettings;
}

function seconds(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number of seconds, got "${raw}"`);
  return value;
}

function count(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  return value;
}

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name} must be a port number (0-65535), got "${raw}"`);
  return value;
}

export function readLocalConfig(env = process.env): LocalConfig {
  return {
    port: port("PORT", 3000),
    wsPort: port("WS_PORT", 3001),
    dataDir: resolve(env.DATA_DIR || ".data"),
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    inMemory: env.DYNAMODB_IN_MEMORY === "1" || env.DYNAMODB_IN_MEMORY === "true",
    tableName: env.TABLE_NAME || "coach-local",
    logLevel: env.LOG_LEVEL || "INFO",
    corsOrigin: env.CORS_ORIGINS || "*",
    anthropicApiKey: env.ANTHROPIC_API_KEY || undefined,
    wsIdleTimeoutSeconds: seconds("WS_IDLE_TIMEOUT_SECONDS", 600),
    wsMaxDurationSeconds: seconds("WS_MAX_DURATION_SECONDS", 7200),
    throttle: {
      frameRatePerSecond: count("WS_FRAME_RATE_PER_SECOND", defaultThrottle.frameRatePerSecond),
      frameBurst: count("WS_FRAME_BURST", defaultThrottle.frameBurst),
      functionConcurrency: count("FUNCTION_CONCURRENCY", defaultThrottle.functionConcurrency),
    },
  };
}
