import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { VisibleError } from "../error";
import { documentClient, tableName } from "../table";

/**
 * Fixed-window rate limits: one counter item per key and minute, raised with
 * a conditional ADD so concurrent requests can never pass the limit together.
 * Counters expire through the table's TTL shortly after their window.
 */
export interface Limit {
  /** What is limited, e.g. `session#ses_…` or `user#alice`. */
  key: string;
  perMinute: number;
}

const WINDOW_MS = 60_000;

export async function consume(limits: readonly Limit[], now = Date.now()): Promise<void> {
  const windowStart = Math.floor(now / WINDOW_MS) * WINDOW_MS;
  for (const limit of limits) {
    try {
      await documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: `RATE#${limit.key}#${windowStart}`, sk: "RATE" },
          UpdateExpression: "ADD #count :one SET #ttl = :ttl, #type = :type",
          ConditionExpression: "attribute_not_exists(#count) OR #count < :limit",
          ExpressionAttributeNames: { "#count": "count", "#ttl": "ttl", "#type": "type" },
          ExpressionAttributeValues: {
            ":one": 1,
            ":limit": limit.perMinute,
            ":ttl": Math.ceil((windowStart + 2 * WINDOW_MS) / 1000),
            ":type": "rate",
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const retryAfter = Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000));
      throw new VisibleError("rate_limited", "rate.limited", `Too many messages; try again in ${retryAfter} s`, { retryAfter });
    }
  }
}

/** Limits from the environment, read once: RATE_LIMIT_SESSION_PER_MINUTE (60), RATE_LIMIT_USER_PER_MINUTE (120). */
export const rateLimits = {
  sessionPerMinute: positive("RATE_LIMIT_SESSION_PER_MINUTE", 60),
  userPerMinute: positive("RATE_LIMIT_USER_PER_MINUTE", 120),
};

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  return value;
}
