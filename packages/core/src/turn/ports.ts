import type { AiProvider } from "../ai";
import type { FlowTurnLoaders } from "../flow/plugin";
import type { ServerEvent } from "../realtime";

/**
 * Where a turn's events go: the session's connections. A running turn's
 * audience is the connections the session had when its first event went out,
 * plus those it admits later.
 */
export interface Fanout {
  send(event: ServerEvent): Promise<void>;
  /**
   * Adds a connection that joined mid-reply to the audience, sending it
   * `greeting` (the reply so far) first; false, sending nothing, when it is
   * in the audience already. Absent where nobody can join (tests, REST only).
   */
  admit?(connectionId: string, greeting: ServerEvent): Promise<boolean>;
  /**
   * The session is complete (a questionnaire wrote its document): closes the
   * connections that were opened for it alone, after `session_complete`
   * reached them. Absent where there are none (REST only).
   */
  closeCompleted?(): Promise<void>;
}

/** What whoever runs a turn needs to run the AI reply to one user message. */
export interface TurnTicket {
  sessionId: string;
  userId: string;
  turnId: string;
  userSeq: number;
}

/** Hands an accepted turn to whoever runs it: the worker function (WebSocket), or the request itself (REST). */
export type Dispatch = (ticket: TurnTicket) => Promise<void>;

/** What running a turn needs from outside core. */
export interface RunPorts {
  provider: AiProvider;
  fanout: Fanout;
  /** The turn side of every flow this process can run, by name, each loaded when first needed. */
  flows: FlowTurnLoaders;
  /** Names the request in session_error events and logs. */
  requestId: string;
  /** Coalescing window and size bound; defaults suit API Gateway. */
  coalesce?: { maxDelayMs: number; maxBytes: number };
  /** How many earlier messages the provider sees. */
  historyWindow?: number;
}
