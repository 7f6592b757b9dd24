import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { documentClient, tableName } from "@coach/core/table";
import { dynamoCallCounts, resetDynamoCallCounts } from "../../../test/dynamo-calls";

// Alone in its file: the suite-wide "no Scan" check counts per file, and this
// file issues one on purpose to prove the detector sees it.
describe("the DynamoDB call counter behind the no-Scan check", () => {
  it("counts a Scan under the name the check looks for", async () => {
    expect(dynamoCallCounts().ScanCommand ?? 0).toBe(0);
    await documentClient.send(new ScanCommand({ TableName: tableName, Limit: 1 }));
    expect(dynamoCallCounts().ScanCommand).toBe(1);
    resetDynamoCallCounts();
  });
});
