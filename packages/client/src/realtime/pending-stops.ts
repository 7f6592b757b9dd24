/**
 * `stop()` calls not yet answered, by session. Stopping is idempotent on the
 * server, so an unanswered stop simply goes again after a reconnect, and
 * every stop of a session settles with the next answer for that session.
 */
import type { Waiter } from "./connection";

export interface StopResult {
  /** A reply was being written, and it ends now: with `message_complete` (`stopped: true`), its send() resolving with the incomplete message. */
  stopping: boolean;
}

export interface PendingStop extends Waiter<StopResult> {
  sessionId: string;
  /** The socket generation it was last sent on; -1 before it went out. */
  sentOn: number;
}

export class PendingStops {
  private readonly stops = new Set<PendingStop>();

  add(sessionId: string): { stop: PendingStop; promise: Promise<StopResult> } {
    let stop!: PendingStop;
    const promise = new Promise<StopResult>((resolve, reject) => (stop = { sessionId, sentOn: -1, resolve, reject }));
    this.stops.add(stop);
    return { stop, promise };
  }

  ofSession(sessionId: string): PendingStop[] {
    return [...this.stops].filter((stop) => stop.sessionId === sessionId);
  }

  /** Settles every stop of the session: `stop_acknowledged` answers them all alike, an error fails them all. */
  settleSession(sessionId: string, outcome: StopResult | Error): void {
    for (const stop of this.ofSession(sessionId)) this.settle(stop, outcome);
  }

  settleAll(error: Error): void {
    for (const stop of [...this.stops]) this.settle(stop, error);
  }

  private settle(stop: PendingStop, outcome: StopResult | Error): void {
    if (!this.stops.delete(stop)) return;
    if (outcome instanceof Error) stop.reject(outcome);
    else stop.resolve(outcome);
  }
}
