import type { TestProject } from "vitest/node";
import { ensureTable } from "../packages/local/src/create-table";
import { startDynamoDBLocal } from "../packages/local/src/dynamodb-local";

/**
 * One DynamoDB Local (in memory) for the whole run, with the real table.
 * Tests isolate themselves by giving every user and session its own id.
 */
export default async function setup(project: TestProject) {
  // Forked test workers inherit this: no SDK notice about Node 20 in every file's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const external = process.env.DYNAMODB_ENDPOINT;
  const dynamodb = external ? undefined : await startDynamoDBLocal();
  const endpoint = external ?? dynamodb!.endpoint;
  const tableName = `coach-test-${Date.now()}`;
  await ensureTable(endpoint, tableName);
  project.provide("dynamodbEndpoint", endpoint);
  project.provide("tableName", tableName);
  return async () => {
    await dynamodb?.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    tableName: string;
  }
}
