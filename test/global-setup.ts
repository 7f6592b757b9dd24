import type { TestProject } from "vitest/node";
import { ensureTable } from "../packages/local/src/create-table";
import { startDynamoDBLocal, type DynamoDBLocal } from "../packages/local/src/dynamodb-local";
import { ensureWebBuild } from "../packages/local/src/web-build";

/**
 * One DynamoDB Local (in memory) for the whole run, with the real table.
 * Tests isolate themselves by giving every user and session its own id.
 * vitest runs this once per project (vitest.config.ts has two); they share
 * the one emulator, stopped when the last project is done.
 *
 * The web app is built here too, if it is out of date, once and before any
 * file starts a stack that serves it (the browser tests, `pnpm start`'s
 * tests, the web server's), rather than by whichever of them comes first.
 */
let shared: Promise<{ endpoint: string; tableName: string; dynamodb?: DynamoDBLocal }> | undefined;
let users = 0;

export default async function setup(project: TestProject) {
  // Forked test workers inherit this: no SDK notice about Node 20 in every file's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  shared ??= (async () => {
    await ensureWebBuild((line) => console.log(line));
    const external = process.env.DYNAMODB_ENDPOINT;
    const dynamodb = external ? undefined : await startDynamoDBLocal();
    const endpoint = external ?? dynamodb!.endpoint;
    const tableName = `coach-test-${Date.now()}`;
    await ensureTable(endpoint, tableName);
    return { endpoint, tableName, dynamodb };
  })();
  users++;
  const { endpoint, tableName } = await shared;
  project.provide("dynamodbEndpoint", endpoint);
  project.provide("tableName", tableName);
  return async () => {
    if (--users > 0) return;
    await (await shared)?.dynamodb?.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    tableName: string;
  }
}
