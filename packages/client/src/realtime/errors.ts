import type { ServerEventOf, SessionErrorCode } from "../types";

/** A `session_error` for a request of this client (a join, a send), as an Error. */
export class SessionError extends Error {
  override readonly name = "SessionError";
  readonly code: SessionErrorCode;
  readonly retryable: boolean;
  /** Seconds to wait before a resend (`rate_limited`). */
  readonly retryAfter: number | undefined;
  readonly requestId: string;
  readonly sessionId: string | undefined;
  /** Resend with this id to retry the same message (the server deduplicates it). */
  readonly clientMessageId: string | undefined;
  readonly event: ServerEventOf<"session_error">;

  constructor(event: ServerEventOf<"session_error">, clientMessageId?: string) {
    super(`${event.code}: ${event.message}`);
    this.event = event;
    this.code = event.code;
    this.retryable = event.retryable;
    this.retryAfter = event.retryAfter;
    this.requestId = event.requestId;
    this.sessionId = event.sessionId;
    this.clientMessageId = event.clientMessageId ?? clientMessageId;
  }
}

/** The client was closed (or gave up reconnecting) before the request settled. */
export class ConnectionClosedError extends Error {
  override readonly name = "ConnectionClosedError";
}
