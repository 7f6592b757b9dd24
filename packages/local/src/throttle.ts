/**
 * The two limits that keep one client's flood from queueing thousands of
 * requests behind the handlers' 50-socket SDK pools: a token bucket per
 * connection (where a frame first arrives, before any handler runs) and
 * Lambda's per-function concurrency (at most N invocations of a function run
 * at once; a few more wait, the rest are throttled).
 */

export interface ThrottleSettings {
  /** Frames one connection may send per second, sustained. */
  frameRatePerSecond: number;
  /** Frames one connection may send at once after a quiet spell. */
  frameBurst: number;
  /** Invocations of one function running at once. */
  functionConcurrency: number;
}

export const defaultThrottle: ThrottleSettings = {
  // Far above a person typing or a client resending in a tight loop, far below a flood.
  frameRatePerSecond: 200,
  frameBurst: 400,
  functionConcurrency: 16,
};

/** Invocations that may wait per running slot before a function throttles: a burst waits briefly, a flood is refused. */
const QUEUED_PER_SLOT = 16;
/** Of those, how many one caller (a connection) may hold, so one flood never fills the queue in front of everyone else. */
export const QUEUED_PER_CALLER = 32;

export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now = performance.now(),
  ) {
    this.tokens = burst;
    this.refilledAt = now;
  }

  /** Takes a token, or returns the whole seconds until one is free. */
  take(now = performance.now()): { ok: true } | { ok: false; retryAfter: number } {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.ratePerSecond);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfter: Math.max(1, Math.ceil((1 - this.tokens) / this.ratePerSecond)) };
  }
}

export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly waitingBy = new Map<string, number>();
  private readonly maxWaiting: number;

  constructor(private readonly limit: number) {
    this.maxWaiting = limit * QUEUED_PER_SLOT;
  }

  /** Runs `task` in a free slot, queued until one is; `undefined` (the task never runs) when the queue, or the caller's share of it, is full. */
  tryRun<T>(task: () => Promise<T>, caller?: string): Promise<T> | undefined {
    if (this.running < this.limit) return this.run(task);
    if (this.waiting.length >= this.maxWaiting) return undefined;
    if (caller === undefined) return this.run(task);
    const queued = this.waitingBy.get(caller) ?? 0;
    if (queued >= QUEUED_PER_CALLER) return undefined;
    this.waitingBy.set(caller, queued + 1);
    const leave = () => {
      const left = (this.waitingBy.get(caller) ?? 1) - 1;
      if (left > 0) this.waitingBy.set(caller, left);
      else this.waitingBy.delete(caller);
    };
    return this.run(async () => {
      leave();
      return task();
    });
  }

  /** Runs `task` in a free slot however long the queue (Lambda's queue of asynchronous events, `$disconnect`). */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `running` never dips and a newcomer cannot jump the queue.
      if (next) next();
      else this.running--;
    }
  }
}

/** One ConcurrencyLimit per function name, created on first use. */
export class FunctionConcurrency {
  private readonly limits = new Map<string, ConcurrencyLimit>();

  constructor(private readonly perFunction: number) {}

  of(functionName: string): ConcurrencyLimit {
    let limit = this.limits.get(functionName);
    if (!limit) this.limits.set(functionName, (limit = new ConcurrencyLimit(this.perFunction)));
    return limit;
  }
}
