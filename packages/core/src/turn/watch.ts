import { extendLock, LOCK_WATCH_MS, lockSeconds, readLock, type TurnLock } from "./lock";
import type { TurnTicket } from "./ports";

/**
 * What a running turn keeps doing beside the reply: renew its lock on a
 * timer (a slow first token or an SDK backoff must not let it lapse; if the
 * lock is lost, `lost` aborts the provider), and read the lock every
 * LOCK_WATCH_MS for what other requests wrote on it (a stop, connections
 * that joined). Renewals are writes every third of the lock period; the
 * watch is a read.
 */
export function watchTurn(ticket: TurnTicket, workerId: string, onLock: (lock: TurnLock) => void) {
  const lost = new AbortController();
  const renewal = setInterval(() => {
    extendLock(ticket.sessionId, ticket.turnId, workerId)
      .then((held) => {
        if (!held) lost.abort();
      })
      .catch(() => undefined); // a missed renewal is retried on the next tick, with two thirds of the period still left
  }, (lockSeconds() * 1000) / 3);
  let reading = false;
  const watch = setInterval(() => {
    if (reading) return;
    reading = true;
    readLock(ticket.sessionId)
      .then((lock) => {
        if (lock?.turnId === ticket.turnId) onLock(lock);
      })
      .catch(() => undefined) // the next look comes LOCK_WATCH_MS later
      .finally(() => (reading = false));
  }, LOCK_WATCH_MS);
  return {
    lost: lost.signal,
    stop: () => {
      clearInterval(renewal);
      clearInterval(watch);
    },
  };
}
