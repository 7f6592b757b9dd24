import { describe, expect, it } from "vitest";
import { lambdaContext } from "../../../local/src/lambda-context";
import { foreignIssuer, newUser } from "../support/api";
import { useRealtimeStack } from "./support/realtime-stack";

/**
 * The `$connect` authorizer verifies the JWT once; every later frame takes
 * the user from `requestContext.authorizer`, so identifying the caller costs
 * no DynamoDB read.
 */
const realtime = useRealtimeStack();
const handler = "packages/functions/src/ws/authorize.handler";
const methodArn = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/dev/$connect";

/** Handlers read the JWT settings when first imported; the stack has set them by now. */
async function authorize(query: Record<string, string> | null) {
  const { handler: authorizer } = await import("../../src/ws/authorize");
  const event = {
    type: "REQUEST",
    methodArn,
    headers: { Host: "abcdef123.execute-api.us-east-1.amazonaws.com", Upgrade: "websocket" },
    multiValueHeaders: { Host: ["abcdef123.execute-api.us-east-1.amazonaws.com"], Upgrade: ["websocket"] },
    queryStringParameters: query,
    stageVariables: {},
    requestContext: { routeKey: "$connect", eventType: "CONNECT", connectionId: "L0SM9cOFvHcCIhw=", requestId: "req-authorizer-test", apiId: "abcdef123", stage: "dev" },
  };
  return authorizer(event, lambdaContext(handler));
}

describe("the $connect authorizer", () => {
  it("allows a valid token for exactly $connect's method ARN, with the user as principal and context", async () => {
    const user = newUser();
    expect(await authorize({ token: realtime.stack.issuer.token(user) })).toEqual({
      principalId: user,
      policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: methodArn }] },
      context: { userId: user },
    });
  });

  it.each([
    ["no query string", () => null],
    ["no token", () => ({ other: "1" })],
    ["an empty token", () => ({ token: "" })],
    ["an expired token", () => ({ token: realtime.stack.issuer.token(newUser(), { expiresInSeconds: -60 }) })],
    ["a token for another audience", () => ({ token: realtime.stack.issuer.token(newUser(), { audience: "someone-else" }) })],
    ["a token of another issuer", () => ({ token: realtime.stack.issuer.token(newUser(), { issuer: "https://evil.example" }) })],
    ["a token signed by another key", () => ({ token: foreignIssuer().token(newUser()) })],
    ["garbage", () => ({ token: "not.a.jwt" })],
  ])("answers %s with Unauthorized (API Gateway's 401)", async (_, query) => {
    const refusal = await authorize(query()).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(Error);
    expect((refusal as Error).message).toBe("Unauthorized");
  });

  it("keeps the verifier's reason as the cause of its Unauthorized", async () => {
    const refusal: unknown = await authorize({ token: realtime.stack.issuer.token(newUser(), { expiresInSeconds: -60 }) }).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ message: "Unauthorized", cause: { kind: "unauthorized", code: "auth.token_expired" } });
    const tenYears = 3650 * 24 * 60 * 60;
    const longLived: unknown = await authorize({ token: realtime.stack.issuer.token(newUser(), { expiresInSeconds: tenYears }) }).catch((error: unknown) => error);
    expect(longLived).toMatchObject({ message: "Unauthorized", cause: { code: "auth.invalid_token", message: "The token lives longer than 24 hours" } });
  });
});

describe("frames after $connect", () => {
  it("identify the user without any DynamoDB call: a ping makes none", async () => {
    const client = await realtime.connect(newUser());
    await client.ping();
    const table = await import("@coach/core/table");
    const calls: string[] = [];
    const name = "connectAuthorizerTestCounter";
    table.documentClient.middlewareStack.add(
      (next, context) => async (args) => {
        calls.push(context.commandName ?? "unknown");
        return next(args);
      },
      { step: "initialize", name },
    );
    try {
      const pong = await client.ping();
      expect(pong.type).toBe("pong");
    } finally {
      table.documentClient.middlewareStack.remove(name);
    }
    expect(calls).toEqual([]);
  });

  it("act as the connection's own user: a session of another user is not found", async () => {
    const owner = newUser();
    const { id: sessionId } = await realtime.api.createSession(owner);
    const ownerClient = await realtime.connect(owner);
    ownerClient.ws.send(JSON.stringify({ action: "get_session_status", sessionId }));
    expect((await ownerClient.waitFor("session_status")).session.id).toBe(sessionId);
    const stranger = await realtime.connect(newUser());
    stranger.ws.send(JSON.stringify({ action: "get_session_status", sessionId }));
    expect(await stranger.waitFor("session_error")).toMatchObject({ code: "not_found", sessionId });
  });
});
