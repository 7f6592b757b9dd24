import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startWebSocketServer, type LocalWebSocketServer } from "../src/ws-server";
import { connectClient, until } from "./fixtures/ws-client";
import { recordedEvents } from "./fixtures/ws-handlers";

const fixture = (name: string) => `packages/local/test/fixtures/ws-handlers.${name}`;
const routes = [
  { routeKey: "$connect", handler: fixture("connect") },
  { routeKey: "$disconnect", handler: fixture("disconnect") },
  { routeKey: "$default", handler: fixture("fallback") },
  { routeKey: "echo", handler: fixture("echo") },
  { routeKey: "two_way", handler: fixture("twoWay") },
  { routeKey: "crash", handler: fixture("crash") },
];

const logs: string[] = [];
let server: LocalWebSocketServer;


beforeAll(async () => {
  server = await startWebSocketServer({
    port: 0,
    stage: "local",
    idleTimeoutSeconds: 60,
    maxDurationSeconds: 600,
    log: (line) => logs.push(line),
    routes,
    workers: [],
  });
  process.env.TEST_MANAGEMENT_ENDPOINT = server.managementEndpoint;
});

afterAll(async () => {
  await server?.stop();
});

describe("the local API Gateway WebSocket emulation", () => {
  it("exposes its endpoints", () => {
    expect(server.url).toBe(`ws://127.0.0.1:${server.port}`);
    expect(server.managementEndpoint).toBe(`http://127.0.0.1:${server.port}/local`);
    expect(server.lambdaEndpoint).toBe(`http://127.0.0.1:${server.port}`);
  });

  it("refuses the upgrade with $connect's status code, and opens no connection", async () => {
    const before = recordedEvents("connect").length;
    await expect(connectClient(`${server.url}?token=bad`)).rejects.toMatchObject({ statusCode: 401 });
    await expect(connectClient(server.url)).rejects.toMatchObject({ statusCode: 401 });
    expect(recordedEvents("connect").length).toBe(before + 2);
    expect(server.connectionCount()).toBe(0);
  });

  it("answers 500 when $connect throws, and keeps serving", async () => {
    await expect(connectClient(`${server.url}?token=throw`)).rejects.toMatchObject({ statusCode: 500 });
    expect(logs.some((line) => line.includes("connect handler crashed"))).toBe(true);
    const client = await connectClient(`${server.url}?token=ok`);
    client.ws.close();
    await client.closed;
  });

  it("builds the $connect event as API Gateway does", async () => {
    const client = await connectClient(`${server.url}/?token=ok&x=1&x=2`, undefined);
    const { event, context } = recordedEvents("connect").at(-1)!;
    const ctx = event.requestContext;
    expect(ctx).toMatchObject({
      routeKey: "$connect",
      eventType: "CONNECT",
      messageDirection: "IN",
      stage: "local",
      domainName: `127.0.0.1:${server.port}`,
      apiId: "local",
      identity: { sourceIp: "127.0.0.1" },
    });
    expect(ctx.connectionId).toMatch(/^[A-Za-z0-9_-]{15}=$/);
    expect(typeof ctx.requestId).toBe("string");
    expect(typeof ctx.extendedRequestId).toBe("string");
    expect(ctx.requestTime).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(typeof ctx.connectedAt).toBe("number");
    expect(typeof ctx.requestTimeEpoch).toBe("number");
    expect(event.queryStringParameters).toEqual({ token: "ok", x: "2" });
    expect(event.multiValueQueryStringParameters).toEqual({ token: ["ok"], x: ["1", "2"] });
    expect(event.headers["Sec-WebSocket-Version"]).toBe("13");
    expect(event.multiValueHeaders["Sec-WebSocket-Version"]).toEqual(["13"]);
    expect(event.isBase64Encoded).toBe(false);
    expect(typeof context.awsRequestId).toBe("string");
    expect(server.connectionCount()).toBe(1);
    client.ws.close();
    await client.closed;
    await until(() => server.connectionCount() === 0);
  });

  it("routes by $request.body.action and echoes through the real management client", async () => {
    const client = await connectClient(`${server.url}?token=ok`);
    const connectionId = recordedEvents("connect").at(-1)!.event.requestContext.connectionId as string;

    client.ws.send(JSON.stringify({ action: "echo", text: "hi" }));
    expect(await client.next()).toEqual({ type: "echo", routeKey: "echo", body: JSON.stringify({ action: "echo", text: "hi" }) });

    client.ws.send(JSON.stringify({ action: "no_such_action" }));
    expect(await client.next()).toMatchObject({ type: "fallback", routeKey: "$default" });

    client.ws.send("not json at all");
    expect(await client.next()).toEqual({ type: "fallback", routeKey: "$default", body: "not json at all" });

    client.ws.send(JSON.stringify({ action: "$connect" }));
    expect(await client.next()).toMatchObject({ routeKey: "$default" });

    client.ws.send(JSON.stringify([{ action: "echo" }]));
    expect(await client.next()).toMatchObject({ routeKey: "$default" });

    const { event } = recordedEvents("echo").at(-1)!;
    expect(event.requestContext).toMatchObject({
      routeKey: "echo",
      eventType: "MESSAGE",
      messageDirection: "IN",
      stage: "local",
      connectionId,
      domainName: `127.0.0.1:${server.port}`,
      apiId: "local",
    });
    expect(typeof event.requestContext.messageId).toBe("string");
    expect(typeof event.requestContext.requestId).toBe("string");
    expect(event.isBase64Encoded).toBe(false);
    expect(event.headers).toBeUndefined();

    client.ws.close(1000, "bye");
    await client.closed;
    const disconnect = await until(() => recordedEvents("disconnect").find((entry) => entry.event.requestContext.connectionId === connectionId));
    expect(disconnect.event.requestContext).toMatchObject({
      routeKey: "$disconnect",
      eventType: "DISCONNECT",
      connectionId,
      disconnectStatusCode: 1000,
      disconnectReason: "bye",
    });
  });

  it("sends a route response's body back, and an error frame when the handler throws", async () => {
    const client = await connectClient(`${server.url}?token=ok`);
    client.ws.send(JSON.stringify({ action: "two_way" }));
    expect(await client.next()).toEqual({ type: "two_way" });
    client.ws.send(JSON.stringify({ action: "crash" }));
    expect(await client.next()).toMatchObject({ message: "Internal server error", connectionId: expect.any(String), requestId: expect.any(String) });
    // The connection and the server survive.
    client.ws.send(JSON.stringify({ action: "echo" }));
    expect(await client.next()).toMatchObject({ type: "echo" });
    expect(logs.some((line) => line.includes("message handler crashed"))).toBe(true);
    client.ws.close();
    await client.closed;
  });

  it("closes a connection that sends a message over 128 KB with 1009", async () => {
    const client = await connectClient(`${server.url}?token=ok`);
    const connectionId = recordedEvents("connect").at(-1)!.event.requestContext.connectionId as string;
    client.ws.send(JSON.stringify({ action: "echo", text: "x".repeat(128 * 1024) }));
    expect((await client.closed).code).toBe(1009);
    const disconnect = await until(() => recordedEvents("disconnect").find((entry) => entry.event.requestContext.connectionId === connectionId));
    expect(disconnect.event.requestContext.disconnectStatusCode).toBe(1009);
    expect(recordedEvents("echo").some((entry) => entry.event.requestContext.connectionId === connectionId)).toBe(false);
  });

  it("accepts a message just under 128 KB", async () => {
    const client = await connectClient(`${server.url}?token=ok`);
    const body = JSON.stringify({ action: "two_way", pad: "x".repeat(120 * 1024) });
    client.ws.send(body);
    expect(await client.next()).toEqual({ type: "two_way" });
    client.ws.close();
    await client.closed;
  });

  it("answers with the subprotocol $connect chose", async () => {
    const client = await connectClient(`${server.url}?token=proto`, ["coach.v1", "other"]);
    expect(client.ws.protocol).toBe("coach.v1");
    client.ws.close();
    await client.closed;
  });

  it("answers Forbidden frames when no route matches and there is no $default", async () => {
    const bare = await startWebSocketServer({
      port: 0,
      stage: "local",
      idleTimeoutSeconds: 60,
      maxDurationSeconds: 600,
      log: () => {},
      routes: [{ routeKey: "echo", handler: fixture("echo") }],
      workers: [],
    });
    try {
      // No $connect route: every upgrade is accepted.
      const client = await connectClient(bare.url);
      client.ws.send(JSON.stringify({ action: "other" }));
      expect(await client.next()).toEqual({ message: "Forbidden", connectionId: expect.any(String), requestId: expect.any(String) });
      expect(bare.connectionCount()).toBe(1);
    } finally {
      await bare.stop();
    }
  });

  it("closes idle connections with 1001, counting idleness from a connection's last frame", async () => {
    const idle = await startWebSocketServer({
      port: 0,
      stage: "local",
      idleTimeoutSeconds: 2,
      maxDurationSeconds: 600,
      log: () => {},
      routes,
      workers: [],
    });
    try {
      // The active connection opens first and pings until the quiet one, opened after it, has been closed for
      // idleness: only an idle timer that restarts on activity keeps the older one open that long.
      const active = await connectClient(`${idle.url}?token=ok`);
      const activeId = recordedEvents("connect").at(-1)!.event.requestContext.connectionId as string;
      const keepAlive = setInterval(() => active.ws.ping(), 100);
      const quiet = await connectClient(`${idle.url}?token=ok`);
      const quietClosed = await quiet.closed.finally(() => clearInterval(keepAlive));
      expect(quietClosed).toEqual({ code: 1001, reason: "Going away" });
      expect(active.ws.readyState, "the active connection outlives the quiet one").toBe(active.ws.OPEN);
      active.ws.send(JSON.stringify({ action: "two_way" }));
      expect(await active.next()).toEqual({ type: "two_way" });
      expect(await active.closed).toEqual({ code: 1001, reason: "Going away" });
      const disconnect = await until(() => recordedEvents("disconnect").find((entry) => entry.event.requestContext.connectionId === activeId));
      expect(disconnect.event.requestContext.disconnectStatusCode).toBe(1001);
      await until(() => idle.connectionCount() === 0);
    } finally {
      await idle.stop();
    }
  });

  it("closes connections at the maximum duration with 1001", async () => {
    const short = await startWebSocketServer({
      port: 0,
      stage: "local",
      idleTimeoutSeconds: 60,
      maxDurationSeconds: 0.5,
      log: () => {},
      routes,
      workers: [],
    });
    try {
      const client = await connectClient(`${short.url}?token=ok`);
      expect((await client.closed).code).toBe(1001);
    } finally {
      await short.stop();
    }
  });

  it("closes every connection on stop, running $disconnect for each", async () => {
    const other = await startWebSocketServer({
      port: 0,
      stage: "local",
      idleTimeoutSeconds: 60,
      maxDurationSeconds: 600,
      log: () => {},
      routes,
      workers: [],
    });
    const clients = await Promise.all([1, 2, 3].map(() => connectClient(`${other.url}?token=ok`)));
    const ids = recordedEvents("connect")
      .slice(-3)
      .map((entry) => entry.event.requestContext.connectionId as string);
    expect(other.connectionCount()).toBe(3);
    await other.stop();
    for (const client of clients) expect((await client.closed).code).toBe(1001);
    for (const id of ids) expect(recordedEvents("disconnect").filter((entry) => entry.event.requestContext.connectionId === id)).toHaveLength(1);
    expect(other.connectionCount()).toBe(0);
    await expect(new Promise((resolve, reject) => {
      const ws = new WebSocket(other.url);
      ws.once("open", resolve);
      ws.once("error", reject);
    })).rejects.toThrow();
  });
});
