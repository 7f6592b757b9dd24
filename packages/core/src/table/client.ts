import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { tableConfig } from "./config";

const client = new DynamoDBClient({
  region: tableConfig.region,
  endpoint: tableConfig.endpoint,
  // DynamoDB Local accepts any credentials; on AWS the default chain applies.
  ...(tableConfig.endpoint ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
});

/** One document client per process, shared by every entity. */
export const documentClient = DynamoDBDocumentClient.from(client, {
  marshallOptions: { removeUndefinedValues: true },
});

export const tableName = tableConfig.tableName;
