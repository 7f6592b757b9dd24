/**
 * Least-privilege IAM derived from the route manifest: a route's function may
 * call exactly the table actions its manifest entry lists, on the table and
 * its indexes, and nothing else. Pure, so it is unit-tested without CDK.
 */

export interface StatementSpec {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

const forbidden = new Set(["dynamodb:*", "dynamodb:Scan"]);

/** The table and every index of it; `tableArn` may be a CDK token. */
export function tableResources(tableArn: string): string[] {
  return [tableArn, `${tableArn}/index/*`];
}

/** `undefined` when the route touches no table. Throws on `dynamodb:*`, `Scan` or any non-DynamoDB action. */
export function tableStatementFor(actions: readonly string[], tableArn: string): StatementSpec | undefined {
  for (const action of actions) {
    if (forbidden.has(action) || action.includes("*")) {
      throw new Error(`"${action}" is not allowed: routes list the exact table actions they need, and never Scan.`);
    }
    if (!/^dynamodb:[A-Z][A-Za-z]+$/.test(action)) {
      throw new Error(`"${action}" is not a DynamoDB action.`);
    }
  }
  const unique = [...new Set(actions)].sort();
  if (unique.length === 0) return undefined;
  return { actions: unique, resources: tableResources(tableArn) };
}

/** A function that posts to WebSocket connections may manage connections of its own API, and only those. */
export function manageConnectionsStatementFor(manageConnections: boolean, connectionsArn: string): StatementSpec | undefined {
  if (!manageConnections) return undefined;
  return { actions: ["execute-api:ManageConnections"], resources: [connectionsArn] };
}

/**
 * DynamoDB operation names (the `Operation` dimension of the table's
 * ThrottledRequests/SystemErrors metrics) behind a set of IAM actions.
 * Transactions need no IAM action of their own, so TransactWriteItems is
 * included whenever a write action is.
 */
const writeActions = new Set(["PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem"]);

export function tableOperationsFor(actions: Iterable<string>): string[] {
  const operations = new Set<string>();
  for (const action of actions) {
    const name = action.replace(/^dynamodb:/, "");
    if (name === "DescribeTable") continue;
    if (name !== "ConditionCheckItem") operations.add(name);
    if (writeActions.has(name)) operations.add("TransactWriteItems");
  }
  return [...operations].sort();
}
