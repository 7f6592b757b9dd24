import { RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type { StackContext } from "sst/constructs";
import { tableDefinition } from "../packages/core/src/table/definition";
import { configOf } from "./stage";

const stringKey = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

/**
 * The one table, built from the shared definition. A plain CDK table rather
 * than SST's `Table`: binding an SST `Table` grants `dynamodb:*`, and the Api
 * and Realtime stacks grant each function only its manifest actions.
 */
export function Storage({ stack, app }: StackContext) {
  const config = configOf(app);
  const table = new dynamodb.Table(stack, "Table", {
    partitionKey: stringKey(tableDefinition.partitionKey),
    sortKey: stringKey(tableDefinition.sortKey),
    timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: config.isProduction,
    removalPolicy: config.removalPolicy === "retain" ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  for (const [indexName, index] of Object.entries(tableDefinition.globalIndexes)) {
    table.addGlobalSecondaryIndex({
      indexName,
      partitionKey: stringKey(index.partitionKey),
      sortKey: stringKey(index.sortKey),
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }
  stack.addOutputs({ TableName: table.tableName });
  return { table };
}
