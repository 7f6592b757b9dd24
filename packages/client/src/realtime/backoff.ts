export interface BackoffOptions {
  /** Delay before the first reconnect attempt. Default 500 ms. */
  initialMs?: number;
  /** Longest delay between attempts. Default 30 s. */
  maxMs?: number;
  /** Growth per failed attempt. Default 2. */
  factor?: number;
  /** Fraction of each delay that is random (0: none, 1: "full jitter"). Default 0.5. */
  jitter?: number;
  /** Consecutive failed attempts before giving up (`closed` event; pending sends reject). Default Infinity. */
  maxAttempts?: number;
}

export type Backoff = Required<BackoffOptions>;

export function resolveBackoff(options: BackoffOptions | undefined): Backoff {
  return { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5, maxAttempts: Number.POSITIVE_INFINITY, ...options };
}

/** The delay before the `attempt`-th try (1-based), without jitter. */
export function backoffDelay(backoff: Backoff, attempt: number): number {
  return Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** (attempt - 1));
}

/** The delay before the `attempt`-th reconnect: jittered so that clients dropped together do not return together. */
export function jitteredDelay(backoff: Backoff, attempt: number): number {
  return Math.round(backoffDelay(backoff, attempt) * (1 - backoff.jitter * Math.random()));
}
