/**
 * The WebSocket client: typed events, a per-session local history that
 * survives reconnects, and sends that resolve with the coach's reply.
 *
 * What it guarantees, on top of the server's protocol:
 * - An unexpected close (network, server drop, missing `pong`) reconnects
 *   with exponential backoff and jitter, rejoins every joined session with
 *   `afterSeq` = the last sequence number it holds without a gap, and merges
 *   `session_joined.history` (deduplicated by `seq`). Nothing is missed,
 *   nothing is held twice.
 * - A `send()` not yet answered is sent again after a reconnect with the same
 *   `clientMessageId`; the server deduplicates it, so there is still one user
 *   message and one reply, and the promise settles exactly once.
 * - The partial text of a reply cut by a drop is discarded (`stream_reset`);
 *   the completed reply arrives as `message_complete` or in the rejoin's history.
 *
 * Only types come from `@coach/core`; frames are checked loosely here (an
 * object with a string `type`), so a browser bundle carries no server code.
 */
import { newClientMessageId, type TokenSource } from "./http";
import type { ClientAction, Message, ServerEvent, ServerEventOf, Session, SessionErrorCode } from "./types";

/** What the client needs of a WebSocket: the browser's, Node 22's global, undici's, or the `ws` package's. */
export interface WebSocketLike {
  readonly readyState: number;
  // `any`: each implementation has its own event classes; only `data`, `code` and `reason` are read.
  onopen: ((event: any) => void) | null;
  onmessage: ((event: any) => void) | null;
  onclose: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: drop the socket without a closing handshake. */
  terminate?(): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

const OPEN = 1;

export interface BackoffOptions {
  /** Delay before the first reconnect attempt. Default 500 ms. */
  initialMs?: number;
  /** Longest delay between attempts. Default 30 s. */
  maxMs?: number;
  /** Growth per failed attempt. Default 2. */
  factor?: number;
  /** Fraction of each delay that is random (0: none, 1: "full jitter"). Default 0.5. */
  jitter?: number;
  /** Consecutive failed attempts before giving up (`closed` event; pending sends reject). Default Infinity. */
  maxAttempts?: number;
}

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

/** Events the client itself emits, beside the server's. */
export type LifecycleEvent =
  /** A socket opened; `reconnect` when it replaces one that was lost. */
  | { type: "connected"; reconnect: boolean }
  /** The socket was lost (not by `close()`); `willReconnect` unless the client gave up. */
  | { type: "disconnected"; code: number; reason: string; willReconnect: boolean }
  /** The next attempt starts in `delayMs`. */
  | { type: "reconnecting"; attempt: number; delayMs: number }
  /** The client is done: `close()` was called, the first connect failed, or reconnecting gave up. */
  | { type: "closed"; reason: string }
  /** The partial streamed text of this reply was dropped (the connection was cut mid-reply); the reply comes complete later. */
  | { type: "stream_reset"; sessionId: string; messageId: string; text: string }
  /** Messages new to the local history of a session (from any source: accepted, complete, rejoin), in seq order. */
  | { type: "history_updated"; sessionId: string; added: Message[] };

export type RealtimeEvent = ServerEvent | LifecycleEvent;
export type RealtimeEventType = RealtimeEvent["type"];
export type RealtimeEventOf<T extends RealtimeEventType> = Extract<RealtimeEvent, { type: T }>;

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

export interface SendOptions {
  /** The idempotency key; generated when absent. Pass the one from a SessionError to retry that message. */
  clientMessageId?: string;
  /** Automatic resends (same clientMessageId) on retryable session errors, after `retryAfter` or the reconnect backoff's delays. */
  retries?: number;
}

export interface JoinResult {
  session: Session;
  /** The whole local history of the session, in seq order. */
  messages: Message[];
}

interface SessionView {
  id: string;
  /** The user joined it (or sent to it) and has not left: rejoined on every reconnect. */
  wanted: boolean;
  session?: Session;
  messages: Map<number, Message>;
  /** Every seq up to this is held (or was before the first join's afterSeq). */
  lastSeq: number;
  /** `session_joined` arrived on the current socket. */
  joined: boolean;
  /** A join_session is on its way on the current socket. */
  joining: boolean;
  joinWaiters: Waiter<JoinResult>[];
}

interface PendingSend {
  sessionId: string;
  clientMessageId: string;
  content: string;
  /** The stored user message, once the server accepted it. */
  userMessage?: Message;
  /** The socket generation it was last sent on. */
  sentOn: number;
  retriesLeft: number;
  retried: number;
  retryTimer?: ReturnType<typeof setTimeout>;
  promise: Promise<Message>;
  resolve(message: Message): void;
  reject(error: Error): void;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

interface Partial {
  sessionId: string;
  text: string;
  nextSeq: number;
}

type State = "idle" | "connecting" | "open" | "reconnecting" | "closed";

export class RealtimeClient {
  private readonly options: RealtimeClientOptions;
  private readonly WebSocketImpl: WebSocketConstructor;
  private readonly heartbeatMs: number;
  private readonly pongTimeoutMs: number;
  private readonly backoff: Required<BackoffOptions>;

  private ws: WebSocketLike | undefined;
  private generation = 0;
  private stateValue: State = "idle";
  private everOpened = false;
  private failures = 0;
  private closedByUser = false;

  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private stableTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;

  private connectWaiters: Waiter<void>[] = [];
  private readonly sessions = new Map<string, SessionView>();
  private readonly pending = new Map<string, PendingSend>();
  private readonly partials = new Map<string, Partial>();
  private readonly statusWaiters = new Map<string, Waiter<ServerEventOf<"session_status">>[]>();
  private readonly handlers = new Map<string, Set<(event: RealtimeEvent) => void>>();
  private readonly anyHandlers = new Set<(event: RealtimeEvent) => void>();

  constructor(options: RealtimeClientOptions) {
    this.options = options;
    const platform = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    const impl = options.WebSocket ?? platform;
    if (!impl) throw new Error('No WebSocket available: on Node 20 pass { WebSocket: (await import("ws")).default }');
    this.WebSocketImpl = impl;
    this.heartbeatMs = options.heartbeatMs ?? 60_000;
    this.pongTimeoutMs = options.pongTimeoutMs ?? Math.min(this.heartbeatMs, 10_000);
    this.backoff = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5, maxAttempts: Number.POSITIVE_INFINITY, ...options.backoff };
  }

  /** `idle` (not connected yet), `connecting`, `open`, `reconnecting` (lost, will retry) or `closed`. */
  get state(): State {
    return this.stateValue;
  }

  // ── events ────────────────────────────────────────────────────────────

  /** Calls `handler` for every event of this type; returns a function that unsubscribes. */
  on<T extends RealtimeEventType>(type: T, handler: (event: RealtimeEventOf<T>) => void): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    const wrapped = handler as (event: RealtimeEvent) => void;
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  /** Calls `handler` once, for the next event of this type. */
  once<T extends RealtimeEventType>(type: T, handler: (event: RealtimeEventOf<T>) => void): () => void {
    const off = this.on(type, (event) => {
      off();
      handler(event);
    });
    return off;
  }

  /** Every event, server and lifecycle. */
  onAny(handler: (event: RealtimeEvent) => void): () => void {
    this.anyHandlers.add(handler);
    return () => this.anyHandlers.delete(handler);
  }

  /**
   * The events as an async stream, from this call until the client closes
   * (the `closed` event is the last one). Events are buffered until read.
   */
  events(): AsyncIterableIterator<RealtimeEvent> {
    const queue: RealtimeEvent[] = [];
    let wake: (() => void) | undefined;
    let done = this.stateValue === "closed";
    const off = this.onAny((event) => {
      queue.push(event);
      if (event.type === "closed") done = true;
      wake?.();
    });
    const finish = (): IteratorResult<RealtimeEvent> => {
      off();
      queue.length = 0;
      done = true;
      return { done: true, value: undefined };
    };
    const iterator: AsyncIterableIterator<RealtimeEvent> = {
      next: async () => {
        for (;;) {
          const event = queue.shift();
          if (event) return { done: false, value: event };
          if (done) return finish();
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      },
      return: async () => finish(),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  // ── connection ────────────────────────────────────────────────────────

  /**
   * Opens the connection (join and send do it for you). Rejects if the first
   * attempt fails (bad URL, refused token); once connected, losses are
   * handled by reconnecting.
   */
  connect(): Promise<void> {
    if (this.stateValue === "closed") return Promise.reject(new ConnectionClosedError("The client is closed"));
    if (this.stateValue === "open") return Promise.resolve();
    const promise = new Promise<void>((resolve, reject) => this.connectWaiters.push({ resolve, reject }));
    if (this.stateValue === "idle") {
      this.stateValue = "connecting";
      void this.openSocket();
    }
    return promise;
  }

  /** Closes the connection for good: no reconnect; unsettled sends and joins reject with ConnectionClosedError. */
  close(): Promise<void> {
    if (this.stateValue === "closed") return Promise.resolve();
    this.closedByUser = true;
    const ws = this.ws;
    const closed = new Promise<void>((resolve) => {
      if (!ws || ws.readyState > OPEN) return resolve();
      const fallback = setTimeout(resolve, 1_000);
      ws.onclose = () => {
        clearTimeout(fallback);
        resolve();
      };
      ws.onmessage = () => {};
      ws.onopen = () => {};
      ws.onerror = () => {};
      try {
        ws.close(1000, "client closed");
      } catch {
        resolve();
      }
    });
    this.ws = undefined;
    this.shutdown("closed by the client");
    return closed;
  }

  private async openSocket(): Promise<void> {
    const generation = ++this.generation;
    let token: string | undefined;
    try {
      token = this.options.getToken ? await this.options.getToken() : this.options.token;
      if (!token) throw new Error("No token: pass { token } or { getToken }");
    } catch (error) {
      if (generation === this.generation && !this.closedByUser) this.onSocketGone(4000, `token: ${(error as Error).message}`);
      return;
    }
    if (generation !== this.generation || this.closedByUser) return;
    const url = new URL(this.options.url);
    url.searchParams.set("token", token);
    let ws: WebSocketLike;
    try {
      ws = new this.WebSocketImpl(url.toString());
    } catch (error) {
      this.onSocketGone(4000, `connect: ${(error as Error).message}`);
      return;
    }
    this.ws = ws;
    const mine = () => this.ws === ws && generation === this.generation;
    this.connectTimer = setTimeout(() => {
      if (mine() && ws.readyState !== OPEN) this.dropSocket(4008, "connect timeout");
    }, this.options.connectTimeoutMs ?? 10_000);
    ws.onopen = () => {
      if (mine()) this.onOpen();
    };
    ws.onmessage = (event: { data: unknown }) => {
      if (mine()) this.onFrame(event.data);
    };
    ws.onclose = (event: { code?: number; reason?: string }) => {
      if (mine()) this.onSocketGone(event.code ?? 1006, event.reason ?? "");
    };
    // A close always follows an error; ws throws on an error with no listener.
    ws.onerror = () => {};
  }

  /** Drops the current socket at once (no closing handshake where the implementation allows it) and handles the loss. */
  private dropSocket(code: number, reason: string): void {
    const ws = this.ws;
    if (!ws) return;
    this.ws = undefined;
    ws.onopen = () => {};
    ws.onmessage = () => {};
    ws.onclose = () => {};
    ws.onerror = () => {};
    try {
      if (ws.terminate) ws.terminate();
      else ws.close(4000, reason.slice(0, 100));
    } catch {
      // already closed
    }
    this.onSocketGone(code, reason);
  }

  private onOpen(): void {
    clearTimeout(this.connectTimer);
    const reconnect = this.everOpened;
    this.everOpened = true;
    this.stateValue = "open";
    this.stableTimer = setTimeout(() => (this.failures = 0), 5_000);
    this.startHeartbeat();
    for (const waiter of this.connectWaiters.splice(0)) waiter.resolve();
    this.emit({ type: "connected", reconnect });
    for (const view of this.sessions.values()) if (view.wanted) this.sendJoin(view);
  }

  private onSocketGone(code: number, reason: string): void {
    this.ws = undefined;
    clearTimeout(this.connectTimer);
    clearTimeout(this.stableTimer);
    this.stopHeartbeat();
    for (const view of this.sessions.values()) {
      view.joined = false;
      view.joining = false;
    }
    for (const waiters of this.statusWaiters.values()) for (const waiter of waiters) waiter.reject(new ConnectionClosedError(`Connection lost (${code})`));
    this.statusWaiters.clear();
    if (this.closedByUser || this.stateValue === "closed") return this.resetStreams();
    if (!this.everOpened) {
      // The very first connect failed: tell the caller instead of retrying a bad URL or token forever.
      this.shutdown(`could not connect (${code}${reason ? ` ${reason}` : ""})`);
      return;
    }
    this.failures++;
    const willReconnect = this.failures <= this.backoff.maxAttempts;
    if (this.stateValue === "open") this.emit({ type: "disconnected", code, reason, willReconnect });
    this.resetStreams();
    if (!willReconnect) {
      this.shutdown(`gave up reconnecting after ${this.backoff.maxAttempts} attempts`);
      return;
    }
    this.stateValue = "reconnecting";
    const { initialMs, maxMs, factor, jitter } = this.backoff;
    const base = Math.min(maxMs, initialMs * factor ** (this.failures - 1));
    const delayMs = Math.round(base * (1 - jitter * Math.random()));
    this.emit({ type: "reconnecting", attempt: this.failures, delayMs });
    this.reconnectTimer = setTimeout(() => void this.openSocket(), delayMs);
  }

  /** Ends everything: timers, waiters, pending sends. */
  private shutdown(reason: string): void {
    this.stateValue = "closed";
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.connectTimer);
    clearTimeout(this.stableTimer);
    this.stopHeartbeat();
    const error = new ConnectionClosedError(`The connection is closed: ${reason}`);
    for (const waiter of this.connectWaiters.splice(0)) waiter.reject(error);
    for (const view of this.sessions.values()) for (const waiter of view.joinWaiters.splice(0)) waiter.reject(error);
    for (const waiters of this.statusWaiters.values()) for (const waiter of waiters) waiter.reject(error);
    this.statusWaiters.clear();
    for (const send of [...this.pending.values()]) this.settle(send, error);
    this.emit({ type: "closed", reason });
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeatTimer = setInterval(() => {
      if (this.pongTimer) return;
      if (!this.transmit({ action: "ping" })) return;
      this.pongTimer = setTimeout(() => {
        this.pongTimer = undefined;
        this.dropSocket(4009, "no pong");
      }, this.pongTimeoutMs);
    }, this.heartbeatMs);
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.pongTimer);
    this.heartbeatTimer = undefined;
    this.pongTimer = undefined;
  }

  private transmit(action: ClientAction): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== OPEN || this.stateValue !== "open") return false;
    try {
      ws.send(JSON.stringify(action));
      return true;
    } catch {
      return false;
    }
  }

  // ── sessions ──────────────────────────────────────────────────────────

  /**
   * Subscribes to the session's stream and brings its local history up to
   * date; stays joined across reconnects until `leave()`. `afterSeq` (first
   * join only) skips older messages.
   */
  join(sessionId: string, options: { afterSeq?: number } = {}): Promise<JoinResult> {
    if (this.stateValue === "closed") return Promise.reject(new ConnectionClosedError("The client is closed"));
    const view = this.view(sessionId, options.afterSeq);
    view.wanted = true;
    const promise = new Promise<JoinResult>((resolve, reject) => view.joinWaiters.push({ resolve, reject }));
    if (this.stateValue === "open") this.sendJoin(view);
    else this.connect().catch(() => {}); // failures reach the waiter through shutdown()
    return promise;
  }

  /** Stops following the session (its local history is kept). */
  leave(sessionId: string): void {
    const view = this.sessions.get(sessionId);
    if (!view) return;
    view.wanted = false;
    view.joined = false;
    this.transmit({ action: "leave_session", sessionId });
  }

  /** The session's server-side status: its info, whether a reply is being written, how many connections follow it. */
  async status(sessionId: string): Promise<ServerEventOf<"session_status">> {
    await this.connect();
    const promise = new Promise<ServerEventOf<"session_status">>((resolve, reject) => {
      const list = this.statusWaiters.get(sessionId) ?? [];
      list.push({ resolve, reject });
      this.statusWaiters.set(sessionId, list);
    });
    this.transmit({ action: "get_session_status", sessionId });
    return promise;
  }

  /** The local history of a session: every message held, in seq order, without duplicates. */
  history(sessionId: string): Message[] {
    const view = this.sessions.get(sessionId);
    return view ? [...view.messages.values()].sort((a, b) => a.seq - b.seq) : [];
  }

  /** The highest seq held with no gap before it (what a rejoin sends as `afterSeq`). */
  lastSeq(sessionId: string): number {
    return this.sessions.get(sessionId)?.lastSeq ?? 0;
  }

  /** The text streamed so far of a reply being written (dropped on a reconnect). */
  partialText(messageId: string): string | undefined {
    return this.partials.get(messageId)?.text;
  }

  /**
   * Sends a message and resolves with the coach's completed reply. Joins the
   * session first if needed. Survives reconnects: an unanswered send is sent
   * again with the same `clientMessageId` (the server deduplicates it). Rejects
   * with a SessionError (`turn_in_progress`, `rate_limited`, `provider_error`,
   * …); retry a retryable one with `{ clientMessageId: error.clientMessageId }`
   * after `error.retryAfter` seconds, or let `retries` do it.
   */
  send(sessionId: string, content: string, options: SendOptions = {}): Promise<Message> {
    const clientMessageId = options.clientMessageId ?? newClientMessageId();
    const existing = this.pending.get(clientMessageId);
    if (existing) return existing.promise;
    if (this.stateValue === "closed") return Promise.reject(new ConnectionClosedError("The client is closed"));
    let resolve!: (message: Message) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<Message>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const send: PendingSend = {
      sessionId,
      clientMessageId,
      content,
      sentOn: -1,
      retriesLeft: options.retries ?? this.options.sendRetries ?? 0,
      retried: 0,
      promise,
      resolve,
      reject,
    };
    this.pending.set(clientMessageId, send);
    // Sending joins the session on the server; the client joins it too, so the local history is whole and it is rejoined after a drop.
    const view = this.view(sessionId);
    view.wanted = true;
    if (view.joined) {
      this.checkPending(send, view);
      if (this.pending.has(clientMessageId)) this.transmitSend(send);
    } else if (this.stateValue === "open") {
      this.sendJoin(view);
    } else {
      this.connect().catch(() => {}); // failures reach the send through shutdown()
    }
    // Otherwise it goes out when the session is (re)joined.
    return promise;
  }

  private view(sessionId: string, afterSeq = 0): SessionView {
    let view = this.sessions.get(sessionId);
    if (!view) {
      view = { id: sessionId, wanted: false, messages: new Map(), lastSeq: afterSeq, joined: false, joining: false, joinWaiters: [] };
      this.sessions.set(sessionId, view);
    }
    return view;
  }

  private sendJoin(view: SessionView): void {
    if (view.joining) return;
    const afterSeq = view.lastSeq > 0 ? view.lastSeq : undefined;
    view.joining = this.transmit({ action: "join_session", sessionId: view.id, ...(afterSeq === undefined ? {} : { afterSeq }) });
  }

  private transmitSend(send: PendingSend): void {
    if (this.transmit({ action: "send_message", sessionId: send.sessionId, clientMessageId: send.clientMessageId, content: send.content })) {
      send.sentOn = this.generation;
    }
  }

  // ── frames ────────────────────────────────────────────────────────────

  private onFrame(data: unknown): void {
    if (this.failures > 0) this.failures = 0;
    let event: ServerEvent;
    try {
      const parsed: unknown = JSON.parse(typeof data === "string" ? data : String(data));
      if (typeof parsed !== "object" || parsed === null || typeof (parsed as { type?: unknown }).type !== "string") return;
      event = parsed as ServerEvent;
    } catch {
      return;
    }
    switch (event.type) {
      case "pong":
        clearTimeout(this.pongTimer);
        this.pongTimer = undefined;
        break;
      case "session_joined":
        this.onJoined(event);
        break;
      case "message_accepted": {
        const view = this.sessions.get(event.message.sessionId);
        if (view) this.merge(view, [event.message]);
        const send = this.pending.get(event.clientMessageId);
        if (send && send.sessionId === event.message.sessionId && view) {
          send.userMessage = event.message;
          this.checkPending(send, view);
        }
        break;
      }
      case "message_delta": {
        let partial = this.partials.get(event.messageId);
        if (!partial) this.partials.set(event.messageId, (partial = { sessionId: event.sessionId, text: "", nextSeq: 0 }));
        if (event.seq < partial.nextSeq) return; // a delta already applied: not emitted twice
        partial.text += event.delta;
        partial.nextSeq = event.seq + 1;
        break;
      }
      case "message_complete": {
        this.partials.delete(event.message.id);
        const view = this.sessions.get(event.message.sessionId);
        if (view) {
          this.merge(view, [event.message]);
          this.checkSession(view);
        }
        break;
      }
      case "session_error":
        this.onSessionError(event);
        break;
      case "session_status": {
        const waiters = this.statusWaiters.get(event.session.id);
        this.statusWaiters.delete(event.session.id);
        for (const waiter of waiters ?? []) waiter.resolve(event);
        break;
      }
      default:
        break;
    }
    this.emit(event);
  }

  private onJoined(event: ServerEventOf<"session_joined">): void {
    const view = this.sessions.get(event.session.id);
    if (!view) return;
    view.session = event.session;
    view.joining = false;
    const before = view.lastSeq;
    this.merge(view, event.history);
    if (!view.wanted) return;
    if (event.hasMore && view.lastSeq > before) {
      // The server sends history in bounded chunks: ask for the rest.
      this.sendJoin(view);
      return;
    }
    view.joined = true;
    const result: JoinResult = { session: event.session, messages: this.history(view.id) };
    for (const waiter of view.joinWaiters.splice(0)) waiter.resolve(result);
    // Sends answered while we were away settle from the history; the rest go (again) with their clientMessageId.
    this.checkSession(view);
    for (const send of this.pending.values()) {
      if (send.sessionId === view.id && send.sentOn !== this.generation && !send.retryTimer) this.transmitSend(send);
    }
  }

  private onSessionError(event: ServerEventOf<"session_error">): void {
    const send = event.clientMessageId ? this.pending.get(event.clientMessageId) : undefined;
    if (send) {
      this.failSend(send, event);
      return;
    }
    if (!event.sessionId) return;
    const view = this.sessions.get(event.sessionId);
    if (event.code === "provider_error") {
      // The reply to the accepted, unanswered message of this session failed (one reply at a time per session).
      for (const pending of [...this.pending.values()]) {
        if (pending.sessionId === event.sessionId && pending.userMessage) this.failSend(pending, event);
      }
      return;
    }
    if (view && view.joinWaiters.length > 0 && ["not_found", "unauthorized", "invalid_frame", "internal"].includes(event.code)) {
      view.joining = false;
      const error = new SessionError(event);
      for (const waiter of view.joinWaiters.splice(0)) waiter.reject(error);
      if (event.code !== "internal") {
        view.wanted = false;
        for (const pending of [...this.pending.values()]) if (pending.sessionId === view.id) this.settle(pending, error);
      }
    }
    const statusWaiters = this.statusWaiters.get(event.sessionId);
    if (statusWaiters) {
      this.statusWaiters.delete(event.sessionId);
      for (const waiter of statusWaiters) waiter.reject(new SessionError(event));
    }
  }

  private failSend(send: PendingSend, event: ServerEventOf<"session_error">): void {
    if (event.retryable && send.retriesLeft > 0) {
      send.retriesLeft--;
      send.retried++;
      const backoff = Math.min(this.backoff.maxMs, this.backoff.initialMs * this.backoff.factor ** (send.retried - 1));
      const delay = event.retryAfter !== undefined ? event.retryAfter * 1000 : backoff;
      clearTimeout(send.retryTimer);
      send.retryTimer = setTimeout(() => {
        send.retryTimer = undefined;
        if (!this.pending.has(send.clientMessageId)) return;
        const view = this.sessions.get(send.sessionId);
        if (view?.joined) this.transmitSend(send);
        else send.sentOn = -1; // goes out when the session is rejoined
      }, delay);
      return;
    }
    this.settle(send, new SessionError(event, send.clientMessageId));
  }

  /** Adds messages to the local history, once each; advances lastSeq over what is now contiguous. */
  private merge(view: SessionView, messages: readonly Message[]): void {
    const added: Message[] = [];
    for (const message of messages) {
      if (message.sessionId !== view.id || message.seq <= 0) continue;
      const held = view.messages.get(message.seq);
      if (!held) added.push(message);
      if (!held || held.status !== "complete") view.messages.set(message.seq, message);
    }
    while (view.messages.has(view.lastSeq + 1)) view.lastSeq++;
    if (added.length === 0) return;
    added.sort((a, b) => a.seq - b.seq);
    this.emit({ type: "history_updated", sessionId: view.id, added });
    // A gap (a frame we never got): ask the server for what follows lastSeq.
    if (view.joined && added.some((message) => message.seq > view.lastSeq + 1)) this.sendJoin(view);
  }

  private checkSession(view: SessionView): void {
    for (const send of [...this.pending.values()]) if (send.sessionId === view.id) this.checkPending(send, view);
  }

  /** Settles a send whose reply is in the local history. */
  private checkPending(send: PendingSend, view: SessionView): void {
    if (!send.userMessage) {
      for (const message of view.messages.values()) {
        if (message.role === "user" && message.clientMessageId === send.clientMessageId) send.userMessage = message;
      }
    }
    if (!send.userMessage) return;
    const max = Math.max(...view.messages.keys());
    for (let seq = send.userMessage.seq + 1; seq <= max; seq++) {
      const message = view.messages.get(seq);
      if (message?.role === "assistant" && message.status === "complete") return this.settle(send, message);
      if (message?.role === "user") return; // unanswered, and the session moved on (a failed reply)
    }
  }

  private settle(send: PendingSend, outcome: Message | Error): void {
    if (this.pending.get(send.clientMessageId) !== send) return;
    this.pending.delete(send.clientMessageId);
    clearTimeout(send.retryTimer);
    if (outcome instanceof Error) send.reject(outcome);
    else send.resolve(outcome);
  }

  /** Drops the partial text of every reply being streamed: after a drop the reply comes whole. */
  private resetStreams(): void {
    const cut = [...this.partials.entries()];
    this.partials.clear();
    for (const [messageId, partial] of cut) this.emit({ type: "stream_reset", sessionId: partial.sessionId, messageId, text: partial.text });
  }

  private emit(event: RealtimeEvent): void {
    const report = this.options.onHandlerError ?? ((error: unknown) => console.error("RealtimeClient handler failed:", error));
    for (const handler of [...(this.handlers.get(event.type) ?? [])]) {
      try {
        handler(event);
      } catch (error) {
        report(error);
      }
    }
    for (const handler of [...this.anyHandlers]) {
      try {
        handler(event);
      } catch (error) {
        report(error);
      }
    }
  }
}
