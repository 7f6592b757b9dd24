/**
 * The conversation turn, one use case on every transport: `accept` a user
 * message (then the worker or the request `run`s the reply), or `exchange`
 * both inside one request. Handlers are adapters of a few lines.
 */
export { accept, SendInput } from "./accept";
export type { Accepted, AcceptPorts } from "./accept";
export { run } from "./run";
export type { TurnOutcome } from "./run";
export { exchange } from "./exchange";
export { stop, StopAnswer } from "./stop";
export type { Exchange } from "./exchange";
export type { Dispatch, Fanout, RunPorts, TurnTicket } from "./ports";
export { DeltaCoalescer, splitByBytes } from "./coalesce";
export { readLock, lockSeconds, LOCK_WATCH_MS } from "./lock";
export type { TurnLock } from "./lock";
