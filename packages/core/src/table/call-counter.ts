import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";

/**
 * Counts DynamoDB commands by name as the SDK sends them. `pnpm bench` reads
 * it for calls per route, and the test suite for the absence of any Scan.
 */
const counts = new Map<string, number>();

export function countDynamoCalls(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? "unknown";
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: "initialize", name: "coachCallCounter" },
  );
}

export function dynamoCallCounts(): Record<string, number> {
  return Object.fromEntries(counts);
}

export function resetDynamoCallCounts(): void {
  counts.clear();
}
