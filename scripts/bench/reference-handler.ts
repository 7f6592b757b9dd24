/**
 * The floor the route bundles are compared against: a bare middy handler that
 * parses its event with zod and holds a DynamoDB DocumentClient at module
 * scope, with nothing of ours (no core, no auth, no powertools, no CORS).
 *
 * The root's devDependencies pin the same ranges as packages/core and
 * packages/functions, so pnpm resolves these to the same installed copies
 * the route handlers bundle.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import middy from "@middy/core";
import { z } from "zod";

const tableName = process.env.TABLE_NAME ?? "reference";
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));

const Event = z.object({ pathParameters: z.object({ id: z.string().min(1).max(64) }) });

export const handler = middy().handler(async (event: unknown) => {
  const { pathParameters } = Event.parse(event);
  const result = await documentClient.send(new GetCommand({ TableName: tableName, Key: { pk: `ITEM#${pathParameters.id}`, sk: "ITEM" } }));
  return { statusCode: result.Item ? 200 : 404, body: JSON.stringify(result.Item ?? null) };
});
