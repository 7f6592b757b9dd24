import WebSocket from "ws";

/** A server event as received: when (performance.now() in this process), its size on the wire and the parsed frame. */
export interface ReceivedFrame {
  at: number;
  bytes: number;
  event: { type?: string; [key: string]: unknown };
}

interface Waiter {
  from: number;
  predicate: (frame: ReceivedFrame) => boolean;
  resolve: (frame: ReceivedFrame) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A bench client of the local WebSocket API: timestamps every frame on
 * receipt and lets a scenario wait (bounded) for the first frame matching a
 * predicate. Loopback only.
 */
export class BenchSocket {
  readonly frames: ReceivedFrame[] = [];
  private waiters = new Set<Waiter>();
  private closed: Promise<void>;

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data: WebSocket.RawData) => {
      const at = performance.now();
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      let event: ReceivedFrame["event"];
      try {
        event = JSON.parse(buffer.toString("utf8")) as ReceivedFrame["event"];
      } catch {
        event = { type: "unparsable" };
      }
      const frame: ReceivedFrame = { at, bytes: buffer.length, event };
      this.frames.push(frame);
      for (const waiter of [...this.waiters]) {
        if (waiter.predicate(frame)) this.settle(waiter, () => waiter.resolve(frame));
      }
    });
    this.closed = new Promise((resolve) => ws.once("close", () => resolve()));
    ws.on("error", () => undefined);
    void this.closed.then(() => {
      for (const waiter of [...this.waiters]) this.settle(waiter, () => waiter.reject(new Error("connection closed while waiting")));
    });
  }

  /** Opens `url?token=…` (and `query`); resolves once the server's `$connect` accepted it and the upgrade completed. */
  static open(url: string, token: string, timeoutMs = 10_000, query: Record<string, string> = {}): Promise<BenchSocket> {
    return new Promise((resolve, reject) => {
      const params = new URLSearchParams({ token, ...query });
      const ws = new WebSocket(`${url}/?${params}`, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
      const socket = new BenchSocket(ws);
      ws.once("open", () => resolve(socket));
      ws.once("unexpected-response", (_request, response) => reject(new Error(`upgrade refused with ${response.statusCode}`)));
      ws.once("error", (error) => reject(error));
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends one JSON frame; returns the send time (performance.now()). */
  send(frame: unknown): number {
    const at = performance.now();
    this.ws.send(JSON.stringify(frame));
    return at;
  }

  /** The first frame at index ≥ `from` matching the predicate (already received or still to come), or a timeout error. */
  waitFor(predicate: (frame: ReceivedFrame) => boolean, timeoutMs: number, from = 0, what = "frame"): Promise<ReceivedFrame> {
    const earlier = this.frames.slice(from).find(predicate);
    if (earlier) return Promise.resolve(earlier);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        from,
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => this.settle(waiter, () => reject(new Error(`no ${what} within ${timeoutMs} ms`))), timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** The first frame of a type at index ≥ `from`. */
  waitForType(type: string, timeoutMs: number, from = 0, extra: (frame: ReceivedFrame) => boolean = () => true): Promise<ReceivedFrame> {
    return this.waitFor((frame) => frame.event.type === type && extra(frame), timeoutMs, from, `"${type}" event`);
  }

  /** Closes from the client side and waits (bounded) for the close handshake. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close(1000, "bench done");
    const timer = setTimeout(() => this.ws.terminate(), timeoutMs);
    await this.closed;
    clearTimeout(timer);
  }

  private settle(waiter: Waiter, action: () => void): void {
    if (!this.waiters.delete(waiter)) return;
    clearTimeout(waiter.timer);
    action();
  }
}

/**
 * Completions of handler invocations, read from the local runtime's own log
 * lines (`ws <routeKey> <connectionId> → <status>`, `… failed`, `lambda <name>
 * done`): how the bench knows a handler has finished when no frame says so
 * (`$disconnect`, the worker after its last post).
 */
export class RuntimeLog {
  private counts = new Map<string, number>();
  private waiters = new Set<{ key: string; count: number; resolve: () => void }>();

  onLine(line: string): void {
    const ws = /^ws (\S+) \S+ (?:→|failed)/.exec(line);
    const lambda = /^lambda (\S+) (?:done|\((?:Event|RequestResponse)\) failed)/.exec(line);
    const key = ws ? `WS ${ws[1]}` : lambda ? `worker ${lambda[1]}` : undefined;
    if (!key) return;
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    for (const waiter of [...this.waiters]) {
      if (waiter.key === key && count >= waiter.count) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  /** Completed invocations so far of `WS <routeKey>` or `worker <name>`. */
  completed(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Waits (bounded) until `key` has completed `count` invocations in total. */
  async waitFor(key: string, count: number, timeoutMs: number): Promise<void> {
    if (this.completed(key) >= count) return;
    let timer: NodeJS.Timeout | undefined;
    let waiter: { key: string; count: number; resolve: () => void } | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        waiter = { key, count, resolve };
        this.waiters.add(waiter);
        timer = setTimeout(() => reject(new Error(`${key}: ${count - this.completed(key)} invocation(s) still unfinished after ${timeoutMs} ms`)), timeoutMs);
      });
    } finally {
      clearTimeout(timer);
      if (waiter) this.waiters.delete(waiter);
    }
  }
}
