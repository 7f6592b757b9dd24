import { describe, expect, it } from "vitest";
import { httpRoutes, webSocketRoutes } from "../packages/functions/src/manifest";
import { manageConnectionsStatementFor, tableOperationsFor, tableResources, tableStatementFor } from "./permissions";

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
    for (const route of [...httpRoutes, ...webSocketRoutes]) {
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

describe("tableOperationsFor", () => {
  it("maps IAM actions to the Operation dimension DynamoDB publishes metrics under", () => {
    expect(tableOperationsFor(["dynamodb:DescribeTable", "dynamodb:GetItem"])).toEqual(["GetItem"]);
    expect(tableOperationsFor(["dynamodb:Query", "dynamodb:ConditionCheckItem"])).toEqual(["Query", "TransactWriteItems"]);
    expect(tableOperationsFor(["dynamodb:PutItem", "dynamodb:PutItem"])).toEqual(["PutItem", "TransactWriteItems"]);
  });

  it("covers the manifest in at most ten metrics, the limit of one metric-math expression", () => {
    const operations = tableOperationsFor([...httpRoutes, ...webSocketRoutes].flatMap((route) => route.table));
    expect(operations.length).toBeGreaterThan(0);
    expect(operations.length).toBeLessThanOrEqual(10);
    expect(tableResources(tableArn)).toEqual([tableArn, `${tableArn}/index/*`]);
  });
});
