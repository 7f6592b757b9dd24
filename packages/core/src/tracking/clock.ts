/**
 * The tracking domain's clock. Every verb reads the time here, once per call,
 * so tests can move time forward (make a session stale, a task stuck) without
 * sleeping. Production never sets it.
 */
let source: () => number = Date.now;

export const clock = {
  /** The current time as an ISO-8601 string with milliseconds (sorts as text). */
  now: (): string => new Date(source()).toISOString(),
  nowMs: (): number => source(),
  /** Replaces the time source: a fixed instant (epoch ms or ISO string) or a function. */
  set(time: number | string | (() => number)): void {
    if (typeof time === "function") source = time;
    else {
      const ms = typeof time === "number" ? time : Date.parse(time);
      if (!Number.isFinite(ms)) throw new Error(`clock.set: not a time: ${String(time)}`);
      source = () => ms;
    }
  },
  /** Moves a set clock (or the real one, from now on) forward by `ms`. */
  advance(ms: number): void {
    const base = source();
    source = () => base + ms;
  },
  reset(): void {
    source = Date.now;
  },
};
