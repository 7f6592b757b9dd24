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

export interface ConnectionsArnParts {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** The WebSocket API id (may be a CDK token). */
  readonly apiId: string;
  /** The WebSocket stage's own name, as deployed: the ARN is scoped to it. */
  readonly stageName: string;
}

/**
 * `execute-api:ManageConnections` resource for PostToConnection on one stage
 * of one WebSocket API: `arn:…:execute-api:<region>:<account>:<api id>/<stage>/POST/@connections/*`.
 * Our functions only POST (no GetConnection, no DeleteConnection). The stage
 * segment must be exactly the deployed stage name: a wildcard would reach
 * other stages' connections of the same API, a wrong name would deny every post.
 */
export function connectionsArnFor(parts: ConnectionsArnParts): string {
  if (!/^[A-Za-z0-9_-]+$/.test(parts.stageName)) {
    throw new Error(`"${parts.stageName}" is not a WebSocket stage name: the connections ARN must name exactly one stage.`);
  }
  return `arn:${parts.partition}:execute-api:${parts.region}:${parts.account}:${parts.apiId}/${parts.stageName}/POST/@connections/*`;
}

/** A deployed worker function, as the routes that invoke it see it (values may be CDK tokens). */
export interface WorkerTarget {
  readonly functionArn: string;
  readonly functionName: string;
}

/** The variable through which a route learns a worker's function name: `turn` → `TURN_WORKER_FUNCTION`. */
export function workerFunctionEnvName(workerName: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(workerName)) throw new Error(`"${workerName}" is not a worker name (lowercase letters, digits, _).`);
  return `${workerName.toUpperCase()}_WORKER_FUNCTION`;
}

export interface WorkerInvocation {
  /** `lambda:InvokeFunction` on exactly the named workers; `undefined` when the route invokes none. */
  readonly statement: StatementSpec | undefined;
  /** `<NAME>_WORKER_FUNCTION` → the worker's function name, for each named worker. */
  readonly environment: Record<string, string>;
}

/**
 * What a route that hands work to workers (`invokes` in the manifest) needs:
 * the right to invoke exactly those functions (unqualified ARN: the routes
 * invoke by function name, `InvocationType: "Event"`), and their names in its
 * environment. A route that invokes nothing gets neither. An unknown worker
 * name throws, so a manifest typo fails the synthesis instead of a request.
 */
export function workerInvocationFor(invokes: readonly string[] | undefined, workers: ReadonlyMap<string, WorkerTarget>): WorkerInvocation {
  const names = [...new Set(invokes ?? [])].sort();
  const environment: Record<string, string> = {};
  const resources: string[] = [];
  for (const name of names) {
    const worker = workers.get(name);
    if (worker === undefined) throw new Error(`No worker named "${name}"; the manifest's workers are: ${[...workers.keys()].join(", ") || "none"}.`);
    environment[workerFunctionEnvName(name)] = worker.functionName;
    resources.push(worker.functionArn);
  }
  if (resources.length === 0) return { statement: undefined, environment };
  return { statement: { actions: ["lambda:InvokeFunction"], resources }, environment };
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
