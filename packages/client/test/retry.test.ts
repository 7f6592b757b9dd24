import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ApiError } from "../src/index";
import { HttpClient } from "../src/http";

/**
 * The client's HTTP layer when the connection drops under a request, as a
 * pooled keep-alive connection does when the server closed it while idle: an
 * idempotent request goes again once, on a fresh connection; a POST never.
 * The server here drops the connections it is told to, after reading the
 * request, and answers the others.
 */
type Drop = "reset" | "close";

interface DroppingServer {
  url: string;
  /** Requests that arrived, in order (`METHOD /path`), answered or dropped. */
  received: string[];
}

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

/** Drops the first `drops` requests (`reset`: TCP RST, ECONNRESET; `close`: FIN, undici's `other side closed`), answers the rest. */
async function droppingServer(drop: Drop, drops: number, answer: (response: ServerResponse) => void = ok): Promise<DroppingServer> {
  const received: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    received.push(`${request.method} ${request.url}`);
    if (received.length > drops) return answer(response);
    if (drop === "reset") request.socket.resetAndDestroy();
    else request.socket.destroy();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

function ok(response: ServerResponse): void {
  response.writeHead(200, { "content-type": "application/json" });
  response.end(JSON.stringify({ ok: true }));
}

const clientOf = (server: DroppingServer) => new HttpClient({ baseUrl: server.url }, async () => ({}));

describe.each(["reset", "close"] as const)("a connection dropped under a request (%s)", (drop) => {
  it.each(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"])("sends an idempotent %s again, once, and returns its answer", async (method) => {
    const server = await droppingServer(drop, 1);
    const response = await clientOf(server).request<{ ok: boolean } | undefined>(method, "/things/1");
    expect(response.status).toBe(200);
    if (method !== "HEAD") expect(response.body).toEqual({ ok: true });
    expect(server.received).toEqual([`${method} /things/1`, `${method} /things/1`]);
  });

  it.each(["POST", "PATCH"])("never sends a %s again: the error reaches the caller", async (method) => {
    const server = await droppingServer(drop, 1);
    await expect(clientOf(server).request(method, "/things", { body: { name: "x" } })).rejects.toThrow(TypeError);
    expect(server.received).toEqual([`${method} /things`]);
  });

  it("gives up after the one retry when the new connection drops too", async () => {
    const server = await droppingServer(drop, Infinity);
    await expect(clientOf(server).request("GET", "/things/1")).rejects.toThrow(TypeError);
    expect(server.received).toEqual(["GET /things/1", "GET /things/1"]);
  });
});

it("does not send a request again that the server answered, even with a 5xx", async () => {
  const server = await droppingServer("reset", 0, (response) => {
    response.writeHead(503, { "content-type": "application/problem+json" });
    response.end(JSON.stringify({ type: "about:blank", title: "Service Unavailable", status: 503, detail: "down", code: "service.unavailable", traceId: "t" }));
  });
  await expect(clientOf(server).request("GET", "/things/1")).rejects.toBeInstanceOf(ApiError);
  expect(server.received).toEqual(["GET /things/1"]);
});
