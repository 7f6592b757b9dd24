import { createServer, connect as tcpConnect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import WebSocket from "ws";
import { HANG_CEILING_MS } from "../../../test/ceiling";
import type { WebSocketConstructor } from "../src/index";

/**
 * A TCP proxy in front of the local WebSocket API, so a test can do to a
 * live connection what a network does: cut it abruptly (RST, no close
 * frame), hold back what the server sends, or freeze it entirely (a dead
 * peer: nothing arrives, nothing closes).
 */
export interface Proxy {
  url: string;
  /** Connections currently proxied. */
  readonly count: number;
  /** Every current connection: reset (client side) and destroyed (server side). */
  cutAll(): void;
  /** Every current connection: stop delivering server → client (frames wait in the kernel, as on a stalled link). */
  holdServerFrames(): void;
  /** Every current connection: stop both directions without closing anything. */
  freezeAll(): void;
  stop(): Promise<void>;
}

export async function startProxy(target: string): Promise<Proxy> {
  const { hostname, port } = new URL(target);
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  const server = createServer((client) => {
    const upstream = tcpConnect(Number(port), hostname);
    const pair = { client, upstream };
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on("close", end);
      socket.on("error", end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxyPort = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${proxyPort}`,
    get count() {
      return pairs.size;
    },
    cutAll() {
      for (const { client, upstream } of [...pairs]) {
        client.resetAndDestroy();
        upstream.destroy();
      }
    },
    holdServerFrames() {
      for (const { client, upstream } of pairs) {
        upstream.unpipe(client);
        upstream.pause();
      }
    },
    freezeAll() {
      for (const { client, upstream } of pairs) {
        upstream.unpipe(client);
        client.unpipe(upstream);
        upstream.pause();
        client.pause();
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const { client, upstream } of pairs) {
          client.destroy();
          upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

/** The `ws` WebSocket, recording every frame the client sends, every frame it receives (raw, before the client reads it) and every socket it opens. */
export function recordingWebSocket(): { WebSocket: WebSocketConstructor; sent: string[]; received: string[]; sockets: WebSocket[] } {
  const sent: string[] = [];
  const received: string[] = [];
  const sockets: WebSocket[] = [];
  class Recording extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
      this.on("message", (data) => received.push(String(data)));
      const send = this.send.bind(this);
      this.send = ((data: string) => {
        sent.push(data);
        send(data);
      }) as typeof this.send;
    }
  }
  return { WebSocket: Recording, sent, received, sockets };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function eventually<T>(what: string, read: () => T | Promise<T>, ok: (value: T) => boolean, timeoutMs = HANG_CEILING_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await sleep(20);
  }
}
