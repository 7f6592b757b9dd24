import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startWebSocketServer, type LocalWebSocketServer } from "../src/ws-server";
import { connectClient, until } from "./fixtures/ws-client";
import { recorded } from "./fixtures/ws-authorizer";

const fixture = (name: string) => `packages/local/test/fixtures/ws-authorizer.${name}`;
const logs: string[] = [];
let server: LocalWebSocketServer;

beforeAll(async () => {
  server = await startWebSocketServer({
    port: 0,
    stage: "local",
    idleTimeoutSeconds: 60,
    maxDurationSeconds: 600,
    log: (line) => logs.push(line),
    routes: [
      { routeKey: "$connect", handler: fixture("connect"), authorizer: { handler: fixture("authorize"), identitySource: "token" } },
      { routeKey: "$disconnect", handler: fixture("disconnect") },
      { routeKey: "whoami", handler: fixture("whoami") },
    ],
    workers: [],
  });
  process.env.TEST_MANAGEMENT_ENDPOINT = server.managementEndpoint;
});

afterAll(async () => {
  await server?.stop();
});

/** The HTTP status and body an upgrade was refused with. */
function refusal(query: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.url}/${query}`);
    ws.once("open", () => {
      ws.terminate();
      reject(new Error(`the upgrade with ${query} was accepted`));
    });
    ws.once("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      response.on("end", () => {
        ws.terminate();
        resolve({ status: response.statusCode ?? 0, body });
      });
    });
    ws.once("error", reject);
  });
}

describe("the local $connect authorizer (a Lambda REQUEST authorizer)", () => {
  it("runs before $connect with the event API Gateway builds, sharing $connect's request context", async () => {
    const client = await connectClient(`${server.url}/?token=user-alice&x=1`, undefined);
    const authorizer = recorded("authorize").at(-1)!.event;
    const connect = recorded("connect").at(-1)!.event;
    expect(authorizer).toMatchObject({
      type: "REQUEST",
      methodArn: `arn:aws:execute-api:us-east-1:000000000000:local/local/$connect`,
      queryStringParameters: { token: "user-alice", x: "1" },
      multiValueQueryStringParameters: { token: ["user-alice"], x: ["1"] },
      stageVariables: {},
      requestContext: { routeKey: "$connect", eventType: "CONNECT", stage: "local", apiId: "local", connectionId: connect.requestContext.connectionId, requestId: connect.requestContext.requestId },
    });
    expect(authorizer.headers.Upgrade ?? authorizer.headers.upgrade).toBe("websocket");
    expect(authorizer.requestContext.authorizer).toBeUndefined();
    client.ws.close();
    await client.closed;
  });

  it("passes its context and principalId in requestContext.authorizer of $connect, every frame and $disconnect", async () => {
    const client = await connectClient(`${server.url}?token=user-bob`);
    const expected = { userId: "bob", tier: 3, beta: true, principalId: "bob" };
    const connect = recorded("connect").at(-1)!.event;
    expect(connect.requestContext.authorizer).toEqual(expected);
    client.ws.send(JSON.stringify({ action: "whoami" }));
    expect(await client.next()).toEqual({ type: "whoami", authorizer: expected });
    client.ws.send(JSON.stringify({ action: "whoami" }));
    expect(await client.next()).toEqual({ type: "whoami", authorizer: expected });
    client.ws.close();
    await client.closed;
    const disconnect = await until(() => recorded("disconnect").find((entry) => entry.event.requestContext.connectionId === connect.requestContext.connectionId));
    expect(disconnect.event.requestContext.authorizer).toEqual(expected);
  });

  it("keeps each connection's own identity", async () => {
    const [carol, dave] = await Promise.all([connectClient(`${server.url}?token=user-carol`), connectClient(`${server.url}?token=user-dave`)]);
    carol.ws.send(JSON.stringify({ action: "whoami" }));
    dave.ws.send(JSON.stringify({ action: "whoami" }));
    expect((await carol.next()).authorizer.userId).toBe("carol");
    expect((await dave.next()).authorizer.userId).toBe("dave");
    carol.ws.close();
    dave.ws.close();
    await Promise.all([carol.closed, dave.closed]);
  });

  it("accepts an Allow on a wildcard resource covering the method ARN", async () => {
    const client = await connectClient(`${server.url}?token=wildcard`);
    client.ws.send(JSON.stringify({ action: "whoami" }));
    expect((await client.next()).authorizer).toEqual({ userId: "w", principalId: "w" });
    client.ws.close();
    await client.closed;
  });

  it("refuses with 401, without invoking the authorizer, when the identity source is missing or empty", async () => {
    const before = recorded("authorize").length;
    expect((await refusal("")).status).toBe(401);
    expect((await refusal("?token=")).status).toBe(401);
    expect((await refusal("?other=1")).status).toBe(401);
    expect(recorded("authorize").length).toBe(before);
  });

  it("answers the authorizer's Unauthorized with 401 and never runs $connect", async () => {
    const connects = recorded("connect").length;
    const before = server.connectionCount();
    expect(await refusal("?token=expired")).toEqual({ status: 401, body: JSON.stringify({ message: "Unauthorized" }) });
    expect(recorded("connect").length).toBe(connects);
    expect(server.connectionCount()).toBe(before);
  });

  it("answers 403 to a policy that denies $connect or does not allow it", async () => {
    const connects = recorded("connect").length;
    expect(await refusal("?token=deny")).toEqual({ status: 403, body: JSON.stringify({ message: "Forbidden" }) });
    expect((await refusal("?token=elsewhere")).status).toBe(403);
    expect(recorded("connect").length).toBe(connects);
  });

  it("answers 500 when the authorizer crashes or returns a context API Gateway cannot pass, and keeps serving", async () => {
    expect(await refusal("?token=crash")).toEqual({ status: 500, body: JSON.stringify({ message: "Internal server error" }) });
    expect(logs.some((line) => line.includes("authorizer crashed"))).toBe(true);
    expect((await refusal("?token=nested-context")).status).toBe(500);
    const client = await connectClient(`${server.url}?token=user-erin`);
    client.ws.close();
    await client.closed;
  });
});
