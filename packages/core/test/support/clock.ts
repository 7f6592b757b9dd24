import { installClock } from "@coach/core/clock";

/**
 * A clock tests move by hand, installed into core's clock port, so a lock
 * expires, a run goes stale or a task gets stuck without sleeping. Handlers
 * running in the test's process read it too.
 */
let source: () => number = Date.now;

installClock({ nowMs: () => source() });

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
  /** Moves the clock forward by `ms` and holds it there (a set clock, or the real one as of now). */
  advance(ms: number): void {
    const base = source();
    source = () => base + ms;
  },
  /** Back to the real time. */
  reset(): void {
    source = Date.now;
  },
};
