/** The conversation turn: accept a user message, run the AI reply, relay it. */
export { acceptUserMessage, SendInput } from "./accept";
export type { Accepted, TurnTicket } from "./accept";
export { runTurn, abandonTurn } from "./run";
export type { TurnOptions, TurnOutcome, TurnSink } from "./run";
export { DeltaCoalescer, splitByBytes } from "./coalesce";
export { readLock, lockSeconds } from "./lock";
