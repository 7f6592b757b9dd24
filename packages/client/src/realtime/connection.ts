/**
 * One logical connection over successive sockets: opens them (token in the
 * URL), keeps them alive (heartbeat), and after an unexpected close opens the
 * next one with backoff and jitter, until `close()` or `maxAttempts`.
 */
import type { ClientAction, ServerEvent } from "../types";
import { jitteredDelay, type Backoff } from "./backoff";
import { ConnectionClosedError } from "./errors";
import type { LifecycleEvent } from "./events";
import { Heartbeat } from "./heartbeat";
import type { RealtimeClientOptions } from "./options";

/** What the client needs of a WebSocket: the browser's, Node 22's global, undici's, or the `ws` package's. */
export interface WebSocketLike {
  readonly readyState: number;
  // `any`: each implementation has its own event classes; only `data`, `code` and `reason` are read.
  onopen: ((event: any) => void) | null;
  onmessage: ((event: any) => void) | null;
  onclose: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: drop the socket without a closing handshake. */
  terminate?(): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

const OPEN = 1;

export type ConnectionState = "idle" | "connecting" | "open" | "reconnecting" | "closed";

export interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

/** What the sessions layer does at each step of the connection's life. */
export interface ConnectionHooks {
  emit(event: LifecycleEvent): void;
  /** A socket opened (`connected` was emitted). */
  opened(): void;
  frame(event: ServerEvent): void;
  /** The socket is gone, for whatever reason: nothing is joined on it any more (replies it streamed wait for the rejoin). */
  lost(code: number): void;
  /** No socket follows the lost one: the replies it streamed will not be continued. */
  cutStreams(): void;
  /** The connection is done: everything still waiting rejects with `error`. */
  shutdown(error: ConnectionClosedError): void;
}

/** Frames are checked loosely (an object with a string `type`), so a browser bundle carries no server code. */
function parseFrame(data: unknown): ServerEvent | undefined {
  try {
    const parsed: unknown = JSON.parse(typeof data === "string" ? data : String(data));
    if (typeof parsed !== "object" || parsed === null || typeof (parsed as { type?: unknown }).type !== "string") return undefined;
    return parsed as ServerEvent;
  } catch {
    return undefined;
  }
}

export class Connection {
  private readonly WebSocketImpl: WebSocketConstructor;
  private readonly heartbeat: Heartbeat;

  private ws: WebSocketLike | undefined;
  private generationValue = 0;
  private stateValue: ConnectionState = "idle";
  private everOpened = false;
  private failures = 0;
  private closedByUser = false;

  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private stableTimer: ReturnType<typeof setTimeout> | undefined;

  private connectWaiters: Waiter<void>[] = [];

  constructor(
    private readonly options: RealtimeClientOptions,
    private readonly backoff: Backoff,
    private readonly hooks: ConnectionHooks,
  ) {
    const platform = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    const impl = options.WebSocket ?? platform;
    if (!impl) throw new Error('No WebSocket available: on Node 20 pass { WebSocket: (await import("ws")).default }');
    this.WebSocketImpl = impl;
    const heartbeatMs = options.heartbeatMs ?? 60_000;
    const pongTimeoutMs = options.pongTimeoutMs ?? Math.min(heartbeatMs, 10_000);
    this.heartbeat = new Heartbeat(
      heartbeatMs,
      pongTimeoutMs,
      () => this.transmit({ action: "ping" }),
      () => this.drop(4009, "no pong"),
    );
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** Which socket this is: a send not sent on the current one goes again. */
  get generation(): number {
    return this.generationValue;
  }

  connect(): Promise<void> {
    if (this.stateValue === "closed") return Promise.reject(new ConnectionClosedError("The client is closed"));
    if (this.stateValue === "open") return Promise.resolve();
    const promise = new Promise<void>((resolve, reject) => this.connectWaiters.push({ resolve, reject }));
    if (this.stateValue === "idle") {
      this.stateValue = "connecting";
      void this.openSocket();
    }
    return promise;
  }

  close(): Promise<void> {
    if (this.stateValue === "closed") return Promise.resolve();
    this.closedByUser = true;
    const ws = this.ws;
    const closed = new Promise<void>((resolve) => {
      if (!ws || ws.readyState > OPEN) return resolve();
      const fallback = setTimeout(resolve, 1_000);
      ws.onclose = () => {
        clearTimeout(fallback);
        resolve();
      };
      ws.onmessage = () => {};
      ws.onopen = () => {};
      ws.onerror = () => {};
      try {
        ws.close(1000, "client closed");
      } catch {
        resolve();
      }
    });
    this.ws = undefined;
    this.shutdown("closed by the client");
    return closed;
  }

  /** Sends if the socket is open; false if the action could not go out. */
  transmit(action: ClientAction): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== OPEN || this.stateValue !== "open") return false;
    try {
      ws.send(JSON.stringify(action));
      return true;
    } catch {
      return false;
    }
  }

  private async openSocket(): Promise<void> {
    const generation = ++this.generationValue;
    let token: string | undefined;
    try {
      token = this.options.getToken ? await this.options.getToken() : this.options.token;
      if (!token) throw new Error("No token: pass { token } or { getToken }");
    } catch (error) {
      if (generation === this.generationValue && !this.closedByUser) this.onSocketGone(4000, `token: ${(error as Error).message}`);
      return;
    }
    if (generation !== this.generationValue || this.closedByUser) return;
    const url = new URL(this.options.url);
    url.searchParams.set("token", token);
    let ws: WebSocketLike;
    try {
      ws = new this.WebSocketImpl(url.toString());
    } catch (error) {
      this.onSocketGone(4000, `connect: ${(error as Error).message}`);
      return;
    }
    this.ws = ws;
    const mine = () => this.ws === ws && generation === this.generationValue;
    this.connectTimer = setTimeout(() => {
      if (mine() && ws.readyState !== OPEN) this.drop(4008, "connect timeout");
    }, this.options.connectTimeoutMs ?? 10_000);
    ws.onopen = () => {
      if (mine()) this.onOpen();
    };
    ws.onmessage = (event: { data: unknown }) => {
      if (mine()) this.onFrame(event.data);
    };
    ws.onclose = (event: { code?: number; reason?: string }) => {
      if (mine()) this.onSocketGone(event.code ?? 1006, event.reason ?? "");
    };
    // A close always follows an error; ws throws on an error with no listener.
    ws.onerror = () => {};
  }

  /** Drops the current socket at once (no closing handshake where the implementation allows it) and handles the loss. */
  private drop(code: number, reason: string): void {
    const ws = this.ws;
    if (!ws) return;
    this.ws = undefined;
    ws.onopen = () => {};
    ws.onmessage = () => {};
    ws.onclose = () => {};
    ws.onerror = () => {};
    try {
      if (ws.terminate) ws.terminate();
      else ws.close(4000, reason.slice(0, 100));
    } catch {
      // already closed
    }
    this.onSocketGone(code, reason);
  }

  private onOpen(): void {
    clearTimeout(this.connectTimer);
    const reconnect = this.everOpened;
    this.everOpened = true;
    this.stateValue = "open";
    this.stableTimer = setTimeout(() => (this.failures = 0), 5_000);
    this.heartbeat.start();
    for (const waiter of this.connectWaiters.splice(0)) waiter.resolve();
    this.hooks.emit({ type: "connected", reconnect });
    this.hooks.opened();
  }

  private onFrame(data: unknown): void {
    if (this.failures > 0) this.failures = 0;
    const event = parseFrame(data);
    if (!event) return;
    if (event.type === "pong") this.heartbeat.pong();
    this.hooks.frame(event);
  }

  private onSocketGone(code: number, reason: string): void {
    this.ws = undefined;
    clearTimeout(this.connectTimer);
    clearTimeout(this.stableTimer);
    this.heartbeat.stop();
    this.hooks.lost(code);
    if (this.closedByUser || this.stateValue === "closed") return this.hooks.cutStreams();
    if (!this.everOpened) {
      // The very first connect failed: tell the caller instead of retrying a bad URL or token forever.
      this.shutdown(`could not connect (${code}${reason ? ` ${reason}` : ""})`);
      return;
    }
    this.failures++;
    const willReconnect = this.failures <= this.backoff.maxAttempts;
    if (this.stateValue === "open") this.hooks.emit({ type: "disconnected", code, reason, willReconnect });
    if (!willReconnect) {
      this.hooks.cutStreams();
      this.shutdown(`gave up reconnecting after ${this.backoff.maxAttempts} attempts`);
      return;
    }
    this.stateValue = "reconnecting";
    const delayMs = jitteredDelay(this.backoff, this.failures);
    this.hooks.emit({ type: "reconnecting", attempt: this.failures, delayMs });
    this.reconnectTimer = setTimeout(() => void this.openSocket(), delayMs);
  }

  /** Ends everything: timers, waiters, pending sends. */
  private shutdown(reason: string): void {
    this.stateValue = "closed";
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.connectTimer);
    clearTimeout(this.stableTimer);
    this.heartbeat.stop();
    const error = new ConnectionClosedError(`The connection is closed: ${reason}`);
    for (const waiter of this.connectWaiters.splice(0)) waiter.reject(error);
    this.hooks.shutdown(error);
    this.hooks.emit({ type: "closed", reason });
  }
}
