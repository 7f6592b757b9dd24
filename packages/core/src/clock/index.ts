/**
 * Core's clock, a port. Every verb that judges time by the wall clock (the
 * turn lock's expiry, tracking's staleness and stuck tasks) reads it here. It
 * reads the system clock unless another is installed: a test's controllable
 * clock expires a lock or makes a run stale without sleeping, so no verdict
 * depends on how fast the machine is.
 */
export interface Clock {
  /** Epoch milliseconds. */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

let source: Clock = systemClock;

/** Installs the time source core reads from now on; no argument restores the system clock. */
export function installClock(next: Clock = systemClock): void {
  source = next;
}

export const clock = {
  /** The current time as an ISO-8601 string with milliseconds (sorts as text). */
  now: (): string => new Date(source.nowMs()).toISOString(),
  nowMs: (): number => source.nowMs(),
};
