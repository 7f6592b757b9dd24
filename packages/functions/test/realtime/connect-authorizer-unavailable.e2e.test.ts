import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testStackConfig } from "../../../../test/env";
import { freePort } from "../../../local/src/dynamodb-local";
import { startLocalStack, type LocalStack } from "../../../local/src/stack";
import { newUser } from "../support/api";
import { connectRefusal } from "./support/ws-client";

/**
 * When the issuer's keys cannot be fetched, the `$connect` authorizer fails
 * rather than answering Unauthorized: the token may well be valid. API
 * Gateway answers a failed authorizer with 500 (REST routes say 503; a
 * WebSocket authorizer cannot choose its status), so a client can tell
 * "retry later" from "get a new token".
 *
 * Alone in its file: the JWKS URI is read when the authorizer is first
 * imported, and is pointed at a port where nothing listens before that.
 */
let stack: LocalStack;
const saved = process.env.JWT_JWKS_URI;

beforeAll(async () => {
  stack = await startLocalStack(testStackConfig());
  process.env.JWT_JWKS_URI = `http://127.0.0.1:${await freePort()}/.well-known/jwks.json`;
});

afterAll(async () => {
  await stack?.stop();
  process.env.JWT_JWKS_URI = saved;
});

describe("when the token issuer's keys cannot be fetched", () => {
  it("refuses the upgrade with 500, not 401, and opens no connection", async () => {
    const before = stack.connectionCount();
    const refusal = await connectRefusal(`${stack.wsUrl}/?token=${stack.issuer.token(newUser())}`);
    expect(refusal).toEqual({ status: 500, body: JSON.stringify({ message: "Internal server error" }) });
    expect(stack.connectionCount()).toBe(before);
  });

  it("still refuses an upgrade without a token with 401", async () => {
    expect((await connectRefusal(`${stack.wsUrl}/`)).status).toBe(401);
  });
});
