import { describe, expect, it } from "vitest";
import { httpRoutes, webSocketRoutes, workers } from "../packages/functions/src/manifest";
import {
  connectionsArnFor,
  manageConnectionsStatementFor,
  tableOperationsFor,
  tableResources,
  tableStatementFor,
  workerFunctionEnvName,
  workerInvocationFor,
  type WorkerTarget,
} from "./permissions";

const tableArn = "arn:aws:dynamodb:us-east-1:123456789012:table/coach-test";

describe("tableStatementFor", () => {
  it("grants exactly the listed actions, deduplicated and sorted, on the table and its indexes", () => {
    expect(tableStatementFor(["dynamodb:Query", "dynamodb:GetItem", "dynamodb:Query"], tableArn)).toEqual({
      actions: ["dynamodb:GetItem", "dynamodb:Query"],
      resources: [tableArn, `${tableArn}/index/*`],
    });
  });

  it("grants nothing to a route that touches no table", () => {
    expect(tableStatementFor([], tableArn)).toBeUndefined();
  });

  it.each(["dynamodb:*", "dynamodb:Scan", "dynamodb:Get*", "*", "s3:GetObject", "dynamodb:getitem"])("refuses %s", (action) => {
    expect(() => tableStatementFor(["dynamodb:GetItem", action], tableArn)).toThrow();
  });

  it("accepts every route of the manifest and grants it only its own actions", () => {
    for (const route of [...httpRoutes, ...webSocketRoutes, ...workers]) {
      const statement = tableStatementFor(route.table, tableArn);
      expect(statement?.actions ?? [], route.handler).toEqual([...new Set(route.table)].sort());
    }
  });
});

describe("manageConnectionsStatementFor", () => {
  const connections = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/POST/@connections/*";

  it("grants ManageConnections on the API's connections only when asked", () => {
    expect(manageConnectionsStatementFor(true, connections)).toEqual({ actions: ["execute-api:ManageConnections"], resources: [connections] });
    expect(manageConnectionsStatementFor(false, connections)).toBeUndefined();
  });
});

describe("connectionsArnFor", () => {
  const parts = { partition: "aws", region: "eu-west-1", account: "123456789012", apiId: "abc123" };

  it("allows POST to the connections of exactly one stage of one API", () => {
    expect(connectionsArnFor({ ...parts, stageName: "prod" })).toBe("arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/POST/@connections/*");
    expect(connectionsArnFor({ ...parts, stageName: "pr-42" })).toBe("arn:aws:execute-api:eu-west-1:123456789012:abc123/pr-42/POST/@connections/*");
  });

  it.each(["*", "", "dev/*", "a b"])("refuses the stage name %j", (stageName) => {
    expect(() => connectionsArnFor({ ...parts, stageName })).toThrow();
  });
});

describe("workerInvocationFor", () => {
  const targets = new Map<string, WorkerTarget>([
    ["turn", { functionArn: "arn:aws:lambda:us-east-1:123456789012:function:dev-turn", functionName: "dev-turn" }],
    ["export", { functionArn: "arn:aws:lambda:us-east-1:123456789012:function:dev-export", functionName: "dev-export" }],
  ]);

  it("names the worker's variable after it", () => {
    expect(workerFunctionEnvName("turn")).toBe("TURN_WORKER_FUNCTION");
    expect(workerFunctionEnvName("pdf_export")).toBe("PDF_EXPORT_WORKER_FUNCTION");
    expect(() => workerFunctionEnvName("Turn-1")).toThrow();
  });

  it("grants lambda:InvokeFunction on exactly the named workers and passes their function names", () => {
    expect(workerInvocationFor(["turn"], targets)).toEqual({
      statement: { actions: ["lambda:InvokeFunction"], resources: ["arn:aws:lambda:us-east-1:123456789012:function:dev-turn"] },
      environment: { TURN_WORKER_FUNCTION: "dev-turn" },
    });
    expect(workerInvocationFor(["turn", "export", "turn"], targets)).toEqual({
      statement: {
        actions: ["lambda:InvokeFunction"],
        resources: ["arn:aws:lambda:us-east-1:123456789012:function:dev-export", "arn:aws:lambda:us-east-1:123456789012:function:dev-turn"],
      },
      environment: { EXPORT_WORKER_FUNCTION: "dev-export", TURN_WORKER_FUNCTION: "dev-turn" },
    });
  });

  it("grants nothing to a route that invokes no worker", () => {
    expect(workerInvocationFor(undefined, targets)).toEqual({ statement: undefined, environment: {} });
    expect(workerInvocationFor([], targets)).toEqual({ statement: undefined, environment: {} });
  });

  it("refuses a worker the manifest does not have", () => {
    expect(() => workerInvocationFor(["tunr"], targets)).toThrow(/tunr/);
  });

  it("matches the manifest: only routes with `invokes` get an invoke right, send_message on the turn worker", () => {
    const manifestTargets = new Map<string, WorkerTarget>(workers.map((worker) => [worker.name, { functionArn: `arn:${worker.name}`, functionName: worker.name }]));
    for (const route of webSocketRoutes) {
      const invocation = workerInvocationFor(route.invokes, manifestTargets);
      expect(invocation.statement?.resources ?? [], route.routeKey).toEqual((route.invokes ?? []).map((name) => `arn:${name}`));
    }
    expect(workerInvocationFor(webSocketRoutes.find((route) => route.routeKey === "send_message")?.invokes, manifestTargets).environment).toEqual({
      TURN_WORKER_FUNCTION: "turn",
    });
  });
});

describe("tableOperationsFor", () => {
  it("maps IAM actions to the Operation dimension DynamoDB publishes metrics under", () => {
    expect(tableOperationsFor(["dynamodb:DescribeTable", "dynamodb:GetItem"])).toEqual(["GetItem"]);
    expect(tableOperationsFor(["dynamodb:Query", "dynamodb:ConditionCheckItem"])).toEqual(["Query", "TransactWriteItems"]);
    expect(tableOperationsFor(["dynamodb:PutItem", "dynamodb:PutItem"])).toEqual(["PutItem", "TransactWriteItems"]);
  });

  it("covers the manifest in at most ten metrics, the limit of one metric-math expression", () => {
    const operations = tableOperationsFor([...httpRoutes, ...webSocketRoutes, ...workers].flatMap((route) => route.table));
    expect(operations.length).toBeGreaterThan(0);
    expect(operations.length).toBeLessThanOrEqual(10);
    expect(tableResources(tableArn)).toEqual([tableArn, `${tableArn}/index/*`]);
  });
});
