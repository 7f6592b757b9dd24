import { documentClient } from "@coach/core/table";

/**
 * Counts DynamoDB commands by name as the SDK sends them, on core's one
 * client: the test suite checks that no Scan is ever issued, `pnpm bench`
 * reads calls per route. Installed on import; product code knows nothing of it.
 */
const counts = new Map<string, number>();
const COUNTER = "coachCallCounter";

// The document client shares its middleware stack with the DynamoDB client it wraps.
if (!documentClient.middlewareStack.identify().some((entry) => entry.startsWith(COUNTER))) {
  documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? "unknown";
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: "initialize", name: COUNTER },
  );
}

export function dynamoCallCounts(): Record<string, number> {
  return Object.fromEntries(counts);
}

export function resetDynamoCallCounts(): void {
  counts.clear();
}
