import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { config } from "../config";
import { VisibleError } from "../error";
import { documentClient, tableName } from "../table";

/**
 * Fixed-window rate limits: one counter item per bucket and minute, raised
 * with a conditional ADD so concurrent requests can never pass the limit
 * together. Finer limits inside a bucket (a user's budget per session) are
 * counters in the same item, so every limit of a request is checked and
 * raised by one conditional write, and a refused request counts against
 * none of them. Counters expire through the table's TTL after their window.
 */
export interface Limit {
  /** What is limited, e.g. `user#alice`, or inside it `session#ses_…`. */
  key: string;
  perMinute: number;
}

const WINDOW_MS = 60_000;

/** The counter item of one bucket in one window: the only place that knows its key template. */
const bucketKey = (key: string, windowStart: number) => ({ pk: `RATE#${key}#${windowStart}`, sk: "RATE" });

/** Raises `bucket` and each limit `within` it by one, or refuses (`rate.limited`) if any would pass its limit. */
export async function consume([bucket, ...within]: readonly [Limit, ...Limit[]], now = Date.now()): Promise<void> {
  const windowStart = Math.floor(now / WINDOW_MS) * WINDOW_MS;
  const counters = [{ name: "count", limit: bucket.perMinute }, ...within.map((limit) => ({ name: `count#${limit.key}`, limit: limit.perMinute }))];
  const names: Record<string, string> = { "#ttl": "ttl", "#type": "type" };
  const values: Record<string, unknown> = { ":one": 1, ":ttl": Math.ceil((windowStart + 2 * WINDOW_MS) / 1000), ":type": "rate" };
  counters.forEach(({ name, limit }, i) => {
    names[`#c${i}`] = name;
    values[`:l${i}`] = limit;
  });
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: bucketKey(bucket.key, windowStart),
        UpdateExpression: `ADD ${counters.map((_, i) => `#c${i} :one`).join(", ")} SET #ttl = :ttl, #type = :type`,
        ConditionExpression: counters.map((_, i) => `(attribute_not_exists(#c${i}) OR #c${i} < :l${i})`).join(" AND "),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const retryAfter = Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000));
    throw new VisibleError("rate_limited", "rate.limited", `Too many messages; try again in ${retryAfter} s`, { retryAfter }, { cause: error });
  }
}

/** The limits of a user's messages (RATE_LIMIT_USER_PER_MINUTE, RATE_LIMIT_SESSION_PER_MINUTE), from the shared config. */
export const rateLimits = () => config().rateLimit;
