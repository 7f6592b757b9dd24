/**
 * The tracking domain's clock, a port. Every verb reads the time here, once
 * per call. It reads the system clock unless another is installed (a test's
 * controllable clock makes a run stale or a task stuck without sleeping).
 */
export interface Clock {
  /** Epoch milliseconds. */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

let source: Clock = systemClock;

/** Installs the time source every tracking verb reads from now on; no argument restores the system clock. */
export function installClock(next: Clock = systemClock): void {
  source = next;
}

export const clock = {
  /** The current time as an ISO-8601 string with milliseconds (sorts as text). */
  now: (): string => new Date(source.nowMs()).toISOString(),
  nowMs: (): number => source.nowMs(),
};
