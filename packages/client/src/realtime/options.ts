import type { TokenSource } from "../http";
import type { BackoffOptions } from "./backoff";
import type { WebSocketConstructor } from "./connection";

export type RealtimeClientOptions = TokenSource & {
  /** `wss://…` (or `ws://…` locally); the token goes in the `token` query parameter. */
  url: string;
  /** The WebSocket implementation; defaults to the global one (browsers, Node 22+). On Node 20: `(await import("ws")).default`. */
  WebSocket?: WebSocketConstructor;
  /** A `ping` every this many ms while connected. Default 60 s (API Gateway closes idle connections after 10 minutes). */
  heartbeatMs?: number;
  /** No `pong` within this long after a `ping` means the connection is dead: it is dropped and re-established. Default min(heartbeatMs, 10 s). */
  pongTimeoutMs?: number;
  /** An attempt that has not opened by then counts as failed. Default 10 s. */
  connectTimeoutMs?: number;
  backoff?: BackoffOptions;
  /** Default for `send()`'s `retries`: automatic resends on retryable session errors. Default 0. */
  sendRetries?: number;
  /** Where errors thrown by event handlers go. Default `console.error`. */
  onHandlerError?: (error: unknown) => void;
};

export interface SendOptions {
  /** The idempotency key; generated when absent. Pass the one from a SessionError to retry that message. */
  clientMessageId?: string;
  /** Automatic resends (same clientMessageId) on retryable session errors, after `retryAfter` or the reconnect backoff's delays. */
  retries?: number;
}
