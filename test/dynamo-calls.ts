import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/**
 * Counts DynamoDB commands by name as the SDK sends them: the test suite
 * checks that no Scan is ever issued, `pnpm bench` reads calls per route.
 * Product code knows nothing of it: the counter joins a document client's
 * middleware stack from outside.
 */
const counts = new Map<string, number>();
const COUNTER = "coachCallCounter";

/** Counts the calls of `client` (and of the DynamoDB client it wraps, which shares its middleware stack). */
export function countCallsOf(client: DynamoDBDocumentClient): void {
  if (client.middlewareStack.identify().some((entry) => entry.startsWith(COUNTER))) return;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? "unknown";
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: "initialize", name: COUNTER },
  );
}

/**
 * Counts the calls of every document client made from now on — core's is
 * made when core is first imported, which a test may want to happen only
 * after it has set the environment (e.g. a table endpoint of its own).
 */
export function countCallsOfNewClients(): void {
  const from = DynamoDBDocumentClient.from.bind(DynamoDBDocumentClient);
  DynamoDBDocumentClient.from = (...args: Parameters<typeof from>) => {
    const client = from(...args);
    countCallsOf(client);
    return client;
  };
}

export function dynamoCallCounts(): Record<string, number> {
  return Object.fromEntries(counts);
}

export function resetDynamoCallCounts(): void {
  counts.clear();
}
