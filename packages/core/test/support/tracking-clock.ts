import * as Tracking from "@coach/core/tracking";

/**
 * A clock tests move by hand, installed into the tracking domain through its
 * clock port, so a run goes stale or a task gets stuck without sleeping.
 * Handlers running in the test's process read it too.
 */
let source: () => number = Date.now;

Tracking.installClock({ nowMs: () => source() });

export const testClock = {
  /** A fixed instant (epoch ms or ISO string) or a function of none. */
  set(time: number | string | (() => number)): void {
    if (typeof time === "function") source = time;
    else {
      const ms = typeof time === "number" ? time : Date.parse(time);
      if (!Number.isFinite(ms)) throw new Error(`testClock.set: not a time: ${String(time)}`);
      source = () => ms;
    }
  },
  /** Moves a set clock (or the real one, from now on) forward by `ms`. */
  advance(ms: number): void {
    const base = source();
    source = () => base + ms;
  },
  /** Back to the real time. */
  reset(): void {
    source = Date.now;
  },
};
