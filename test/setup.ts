import { afterAll, expect, inject } from "vitest";
import { countCallsOfNewClients, dynamoCallCounts } from "./dynamo-calls";

// Core reads its configuration once at import, so this runs before any test imports it.
process.env.DYNAMODB_ENDPOINT = inject("dynamodbEndpoint");
process.env.TABLE_NAME = inject("tableName");
process.env.AWS_REGION ??= "us-east-1";
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? "SILENT";
process.env.POWERTOOLS_DEV = "false";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
// Tests use the offline coach and the fake Messages API; a key in the developer's shell must never reach Anthropic.
delete process.env.ANTHROPIC_API_KEY;

// Counts the calls of core's DynamoDB client once it is made (when a test first imports core, after setting its environment).
countCallsOfNewClients();

/**
 * The design allows no Scan anywhere. Every DynamoDB call made by product
 * code in this test file went through the counting middleware; none may be a
 * Scan.
 */
afterAll(() => {
  expect(dynamoCallCounts().ScanCommand ?? 0).toBe(0);
});
