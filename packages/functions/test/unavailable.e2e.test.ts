import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testStackConfig } from "../../../test/env";
import { freePort, startDynamoDBLocal } from "../../local/src/dynamodb-local";
import { startLocalStack, type LocalStack } from "../../local/src/stack";
import { apiClient, expectProblem, expectStandardHeaders, newUser, type Api } from "./support/api";

/**
 * When the table or the identity provider cannot be reached, the API says
 * so with 503 problem+json instead of failing obscurely.
 *
 * Alone in its file on purpose: vitest gives every file a fresh module graph.
 * The stack runs on a DynamoDB Local of its own, which is stopped once the
 * stack is up: an unreachable table, as a Lambda would meet it. The JWKS URI,
 * which handlers read when first imported, is pointed at a port where nothing
 * listens before any request imports one: an unreachable issuer.
 */
let stack: LocalStack;
let api: Api;
const saved = { DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT, JWT_JWKS_URI: process.env.JWT_JWKS_URI };
/** The stopped DynamoDB Local and the port without an issuer: neither may show in a response. */
let stoppedTable: string;
let deadIssuer: string;

beforeAll(async () => {
  const dynamodb = await startDynamoDBLocal();
  stack = await startLocalStack(testStackConfig({ dynamodbEndpoint: dynamodb.endpoint }));
  api = apiClient(stack);
  await dynamodb.stop();
  stoppedTable = dynamodb.endpoint;
  deadIssuer = `http://127.0.0.1:${await freePort()}`;
  process.env.JWT_JWKS_URI = `${deadIssuer}/.well-known/jwks.json`;
});

afterAll(async () => {
  await stack?.stop();
  Object.assign(process.env, saved);
});

describe("when the table cannot be reached", () => {
  it("GET /health/ready answers 503 problem+json table.unavailable, without the cause's internals", async () => {
    const response = await api.get("/health/ready");
    expectProblem(response, 503, "table.unavailable");
    expect(response.body).toMatchObject({ title: "Service Unavailable", detail: "The table is not reachable", instance: "/health/ready" });
    expect(response.text).not.toContain(stoppedTable);
    expect(response.text).not.toContain("127.0.0.1");
    expectStandardHeaders(response);
  });

  it("GET /health still answers 200: liveness does not depend on the table", async () => {
    const response = await api.get("/health");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: "ok" });
  });
});

describe("when the token issuer's keys cannot be fetched", () => {
  it("answers a user route with 503 auth.jwks_unavailable, not 401 (the token may well be valid)", async () => {
    const response = await api.get("/api/sessions", { as: newUser() });
    expectProblem(response, 503, "auth.jwks_unavailable");
    expect(response.headers.get("www-authenticate")).toBeNull();
    expect(response.text).not.toContain(deadIssuer);
    expectStandardHeaders(response);
  });

  it("still answers a request without a token with 401", async () => {
    expectProblem(await api.get("/api/sessions"), 401, "auth.missing_token");
  });
});
