import {
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebSocketServer, type LocalWebSocketServer } from "../src/ws-server";
import { connectClient, until } from "./fixtures/ws-client";
import { HANG_CEILING_MS } from "../../../test/ceiling";
import { managementClient, recordedEvents } from "./fixtures/ws-handlers";

const fixture = (name: string) => `packages/local/test/fixtures/ws-handlers.${name}`;
let server: LocalWebSocketServer;


async function open() {
  const client = await connectClient(`${server.url}?token=ok`);
  const connectionId = recordedEvents("connect").at(-1)!.event.requestContext.connectionId as string;
  return { client, connectionId };
}

beforeAll(async () => {
  server = await startWebSocketServer({
    port: 0,
    stage: "local",
    idleTimeoutSeconds: 60,
    maxDurationSeconds: 600,
    log: () => {},
    routes: [
      { routeKey: "$connect", handler: fixture("connect") },
      { routeKey: "$disconnect", handler: fixture("disconnect") },
      { routeKey: "burst", handler: fixture("burst") },
    ],
    workers: [],
  });
  process.env.TEST_MANAGEMENT_ENDPOINT = server.managementEndpoint;
});

afterAll(async () => {
  await server?.stop();
});

describe("the local @connections management API, through the real ApiGatewayManagementApiClient", () => {
  it("posts data to a connection as a text frame", async () => {
    const { client, connectionId } = await open();
    const response = await managementClient().send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: '{"type":"hello"}' }));
    expect(response.$metadata.httpStatusCode).toBe(200);
    expect(await client.next()).toEqual({ type: "hello" });
    client.ws.close();
    await client.closed;
  });

  it("describes a connection with GetConnection", async () => {
    const before = Date.now();
    const { client, connectionId } = await open();
    try {
      const describeConnection = () => managementClient().send(new GetConnectionCommand({ ConnectionId: connectionId }));
      const connectedAt = (await describeConnection()).ConnectedAt!.getTime();
      // Activity in the very millisecond of the connect would not show; the clock moves on first.
      await until(() => Date.now() > connectedAt);
      client.ws.send("activity");
      // Poll rather than sleep: on a loaded machine the frame may take a while to be handled.
      let info = await describeConnection();
      const deadline = Date.now() + HANG_CEILING_MS;
      while (info.LastActiveAt!.getTime() <= connectedAt && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        info = await describeConnection();
      }
      expect(info.ConnectedAt).toBeInstanceOf(Date);
      expect(info.LastActiveAt).toBeInstanceOf(Date);
      expect(info.ConnectedAt!.getTime()).toBeGreaterThanOrEqual(before - 1);
      expect(info.LastActiveAt!.getTime()).toBeGreaterThan(info.ConnectedAt!.getTime());
      expect(info.Identity).toEqual({ SourceIp: "127.0.0.1", UserAgent: "" });
    } finally {
      client.ws.close();
      await client.closed;
    }
  });

  it("answers GoneException for a closed or unknown connection", async () => {
    const { client, connectionId } = await open();
    client.ws.close();
    await client.closed;
    await until(() => (server.connectionCount() === 0 ? true : undefined));
    const api = managementClient();
    await expect(api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: "late" }))).rejects.toBeInstanceOf(GoneException);
    await expect(api.send(new GetConnectionCommand({ ConnectionId: connectionId }))).rejects.toBeInstanceOf(GoneException);
    await expect(api.send(new DeleteConnectionCommand({ ConnectionId: connectionId }))).rejects.toBeInstanceOf(GoneException);
    const error = await api.send(new PostToConnectionCommand({ ConnectionId: "never-existed=", Data: "x" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GoneException);
    expect((error as GoneException).$metadata.httpStatusCode).toBe(410);
  });

  it("closes the socket on DeleteConnection and runs $disconnect", async () => {
    const { client, connectionId } = await open();
    const response = await managementClient().send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    expect(response.$metadata.httpStatusCode).toBe(204);
    await client.closed;
    const disconnect = await until(() => recordedEvents("disconnect").find((entry) => entry.event.requestContext.connectionId === connectionId));
    expect(disconnect.event.requestContext).toMatchObject({ eventType: "DISCONNECT", routeKey: "$disconnect" });
    await expect(managementClient().send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: "x" }))).rejects.toBeInstanceOf(GoneException);
    expect(server.connectionCount()).toBe(0);
  });

  it("keeps 200 posts in order", async () => {
    const { client } = await open();
    client.ws.send(JSON.stringify({ action: "burst", count: 200 }));
    const seqs: number[] = [];
    for (let i = 0; i < 200; i++) seqs.push((await client.next()).seq);
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i));
    client.ws.close();
    await client.closed;
  });

  it("refuses data over 128 KB with PayloadTooLargeException", async () => {
    const { client, connectionId } = await open();
    const api = managementClient();
    await expect(api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: "x".repeat(128 * 1024 + 1) }))).rejects.toBeInstanceOf(
      PayloadTooLargeException,
    );
    await api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: "x".repeat(128 * 1024) }));
    expect((await client.next()).length).toBe(128 * 1024);
    client.ws.close();
    await client.closed;
  });

  it("accepts the path without the stage, and only its own stage", async () => {
    const { client, connectionId } = await open();
    const withoutStage = await fetch(`${server.lambdaEndpoint}/@connections/${encodeURIComponent(connectionId)}`, { method: "POST", body: "plain" });
    expect(withoutStage.status).toBe(200);
    expect(await client.next()).toBe("plain");
    const otherStage = await fetch(`${server.lambdaEndpoint}/prod/@connections/${encodeURIComponent(connectionId)}`, { method: "POST", body: "x" });
    expect(otherStage.status).toBe(404);
    client.ws.close();
    await client.closed;
  });
});
