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
 * - The text of a reply cut by a drop is kept, and the rejoin continues it:
 *   from the reply so far the server sends (`reply_in_progress`) and the
 *   deltas after it, placed by `offset`, the app gets only the characters it
 *   has not had, as `message_delta` events, each character once. A reply that
 *   completed meanwhile comes back in the rejoin's history (its rest as a last
 *   delta) or as `message_complete`. Text is discarded (`stream_reset`) only
 *   when it cannot be continued: a hole in the deltas, a turn that failed.
 * - `stop()` ends the reply being written; the send() waiting for it
 *   resolves with the stored, incomplete message.
 *
 * Only types come from `@coach/core`, so a browser bundle carries no server code.
 */
import { newClientMessageId } from "../http";
import type { Message, ServerEvent, ServerEventOf } from "../types";
import { backoffDelay, resolveBackoff, type Backoff } from "./backoff";
import { Connection, type ConnectionState, type Waiter } from "./connection";
import { ConnectionClosedError, SessionError } from "./errors";
import { Emitter, eventStream, type RealtimeEvent, type RealtimeEventOf, type RealtimeEventType } from "./events";
import type { RealtimeClientOptions, SendOptions } from "./options";
import { findReply, newPendingSend, PendingSends, type PendingSend } from "./pending-sends";
import { PendingStops, type PendingStop, type StopResult } from "./pending-stops";
import { ReplyAssembly } from "./reply-assembly";
import { hasGap, holdsMessage, mergeMessages, newSessionView, sortedMessages, type JoinResult, type SessionView } from "./session-history";

export class RealtimeClient {
  private readonly options: RealtimeClientOptions;
  private readonly backoff: Backoff;
  private readonly connection: Connection;
  private readonly emitter: Emitter;

  private readonly sessions = new Map<string, SessionView>();
  private readonly pending = new PendingSends();
  private readonly stops = new PendingStops();
  private readonly replies = new ReplyAssembly();
  /** Replies cut by a drop whose turn had ended by the rejoin: a second join shows whether they were stored (see settleCutReplies). */
  private readonly confirming = new Set<string>();
  private readonly statusWaiters = new Map<string, Waiter<ServerEventOf<"session_status">>[]>();

  constructor(options: RealtimeClientOptions) {
    this.options = options;
    this.emitter = new Emitter(options);
    this.backoff = resolveBackoff(options.backoff);
    this.connection = new Connection(options, this.backoff, {
      emit: (event) => this.emitter.emit(event),
      opened: () => {
        for (const view of this.sessions.values()) if (view.wanted) this.sendJoin(view);
      },
      frame: (event) => this.onFrame(event),
      lost: (code) => {
        for (const view of this.sessions.values()) {
          view.joined = false;
          view.joining = false;
        }
        this.rejectStatusWaiters(new ConnectionClosedError(`Connection lost (${code})`));
        this.replies.detachAll();
      },
      cutStreams: () => this.emitAll(this.replies.discardAll()),
      shutdown: (error) => {
        for (const view of this.sessions.values()) for (const waiter of view.joinWaiters.splice(0)) waiter.reject(error);
        this.rejectStatusWaiters(error);
        this.stops.settleAll(error);
        for (const send of [...this.pending.values()]) this.pending.settle(send, error);
      },
    });
  }

  /** `idle` (not connected yet), `connecting`, `open`, `reconnecting` (lost, will retry) or `closed`. */
  get state(): ConnectionState {
    return this.connection.state;
  }

  // ── events ────────────────────────────────────────────────────────────

  /** Calls `handler` for every event of this type; returns a function that unsubscribes. */
  on<T extends RealtimeEventType>(type: T, handler: (event: RealtimeEventOf<T>) => void): () => void {
    return this.emitter.on(type, handler);
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
    return this.emitter.onAny(handler);
  }

  /**
   * The events as an async stream, from this call until the client closes
   * (the `closed` event is the last one). Events are buffered until read.
   */
  events(): AsyncIterableIterator<RealtimeEvent> {
    return eventStream((handler) => this.onAny(handler), this.connection.state === "closed");
  }

  // ── connection ────────────────────────────────────────────────────────

  /**
   * Opens the connection (join and send do it for you). Rejects if the first
   * attempt fails (bad URL, refused token); once connected, losses are
   * handled by reconnecting.
   */
  connect(): Promise<void> {
    return this.connection.connect();
  }

  /** Closes the connection for good: no reconnect; unsettled sends and joins reject with ConnectionClosedError. */
  close(): Promise<void> {
    return this.connection.close();
  }

  // ── sessions ──────────────────────────────────────────────────────────

  /**
   * Subscribes to the session's stream and brings its local history up to
   * date; stays joined across reconnects until `leave()`. `afterSeq` (first
   * join only) skips older messages.
   */
  join(sessionId: string, options: { afterSeq?: number } = {}): Promise<JoinResult> {
    if (this.connection.state === "closed") return Promise.reject(new ConnectionClosedError("The client is closed"));
    const view = this.view(sessionId, options.afterSeq);
    view.wanted = true;
    const promise = new Promise<JoinResult>((resolve, reject) => view.joinWaiters.push({ resolve, reject }));
    if (this.connection.state === "open") this.sendJoin(view);
    else this.connect().catch(() => {}); // failures reach the waiter through the shutdown hook
    return promise;
  }

  /** Stops following the session (its local history is kept; the text of a reply being written is dropped, `stream_reset`). */
  leave(sessionId: string): void {
    const view = this.sessions.get(sessionId);
    if (!view) return;
    view.wanted = false;
    view.joined = false;
    this.connection.transmit({ action: "leave_session", sessionId });
    this.emitAll(this.replies.discardSession(sessionId));
  }

  /** The session's server-side status: its info, whether a reply is being written, how many connections follow it. */
  async status(sessionId: string): Promise<ServerEventOf<"session_status">> {
    await this.connect();
    const promise = new Promise<ServerEventOf<"session_status">>((resolve, reject) => {
      const list = this.statusWaiters.get(sessionId) ?? [];
      list.push({ resolve, reject });
      this.statusWaiters.set(sessionId, list);
    });
    this.connection.transmit({ action: "get_session_status", sessionId });
    return promise;
  }

  /** The local history of a session: every message held, in seq order, without duplicates. */
  history(sessionId: string): Message[] {
    const view = this.sessions.get(sessionId);
    return view ? sortedMessages(view) : [];
  }

  /** The highest seq held with no gap before it (what a rejoin sends as `afterSeq`). */
  lastSeq(sessionId: string): number {
    return this.sessions.get(sessionId)?.lastSeq ?? 0;
  }

  /** The text streamed so far of a reply being written: kept across a reconnect, which continues it; undefined once it is stored or discarded. */
  partialText(messageId: string): string | undefined {
    return this.replies.text(messageId);
  }

  /**
   * Sends a message and resolves with the coach's reply once it has ended:
   * completed, or stopped by `stop()` (then the stored message has `status:
   * "incomplete"`, `stopReason: "user"` and the content written so far, maybe
   * ""). Joins the session first if needed. Survives reconnects: an unanswered
   * send is sent again with the same `clientMessageId` (the server
   * deduplicates it). Rejects
   * with a SessionError (`turn_in_progress`, `rate_limited`, `provider_error`,
   * …); retry a retryable one with `{ clientMessageId: error.clientMessageId }`
   * after `error.retryAfter` seconds, or let `retries` do it.
   */
  send(sessionId: string, content: string, options: SendOptions = {}): Promise<Message> {
    const clientMessageId = options.clientMessageId ?? newClientMessageId();
    const existing = this.pending.get(clientMessageId);
    if (existing) return existing.promise;
    if (this.connection.state === "closed") return Promise.reject(new ConnectionClosedError("The client is closed"));
    const retriesLeft = options.retries ?? this.options.sendRetries ?? 0;
    const send = newPendingSend({ sessionId, clientMessageId, content, retriesLeft });
    this.pending.add(send);
    // Sending joins the session on the server; the client joins it too, so the local history is whole and it is rejoined after a drop.
    const view = this.view(sessionId);
    view.wanted = true;
    if (view.joined) {
      this.checkPending(send, view);
      if (this.pending.has(clientMessageId)) this.transmitSend(send);
    } else if (this.connection.state === "open") {
      this.sendJoin(view);
    } else {
      this.connect().catch(() => {}); // failures reach the send through the shutdown hook
    }
    // Otherwise it goes out when the session is (re)joined.
    return send.promise;
  }

  /**
   * Stops the reply being written in the session, if any (the owner's only;
   * stopping twice is harmless). Resolves with `stopping`: whether a reply was
   * being written. That reply then ends with `message_complete` carrying
   * `stopped: true`, and the `send()` waiting for it resolves with the stored
   * message: `status: "incomplete"`, `stopReason: "user"`, the content written
   * so far (maybe ""). Joins the session first if needed; an unanswered stop
   * goes again after a reconnect. Rejects with a SessionError (`not_found` for
   * another user's session).
   */
  stop(sessionId: string): Promise<StopResult> {
    if (this.connection.state === "closed") return Promise.reject(new ConnectionClosedError("The client is closed"));
    const { stop, promise } = this.stops.add(sessionId);
    const view = this.view(sessionId);
    view.wanted = true;
    if (view.joined) this.transmitStop(stop);
    else if (this.connection.state === "open") this.sendJoin(view);
    else this.connect().catch(() => {}); // failures reach the stop through the shutdown hook
    // Otherwise it goes out when the session is (re)joined.
    return promise;
  }

  private view(sessionId: string, afterSeq = 0): SessionView {
    let view = this.sessions.get(sessionId);
    if (!view) {
      view = newSessionView(sessionId, afterSeq);
      this.sessions.set(sessionId, view);
    }
    return view;
  }

  private sendJoin(view: SessionView): void {
    if (view.joining) return;
    const afterSeq = view.lastSeq > 0 ? view.lastSeq : undefined;
    view.joining = this.connection.transmit({ action: "join_session", sessionId: view.id, ...(afterSeq === undefined ? {} : { afterSeq }) });
  }

  private transmitSend(send: PendingSend): void {
    if (this.connection.transmit({ action: "send_message", sessionId: send.sessionId, clientMessageId: send.clientMessageId, content: send.content })) {
      send.sentOn = this.connection.generation;
    }
  }

  /** One stop_generation per session and socket: its answer settles every stop of the session. */
  private transmitStop(stop: PendingStop): void {
    const generation = this.connection.generation;
    const inFlight = this.stops.ofSession(stop.sessionId).some((other) => other !== stop && other.sentOn === generation);
    if (inFlight || this.connection.transmit({ action: "stop_generation", sessionId: stop.sessionId })) stop.sentOn = generation;
  }

  private rejectStatusWaiters(error: Error): void {
    for (const waiters of this.statusWaiters.values()) for (const waiter of waiters) waiter.reject(error);
    this.statusWaiters.clear();
  }

  // ── frames ────────────────────────────────────────────────────────────

  private onFrame(event: ServerEvent): void {
    switch (event.type) {
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
      case "message_delta":
      case "reply_in_progress": {
        const view = this.sessions.get(event.sessionId);
        if (view && holdsMessage(view, event.messageId)) return; // a stored reply is done: nothing streams into it any more
        this.emitAll(event.type === "message_delta" ? this.replies.delta(event) : this.replies.inProgress(event));
        return; // the app gets the client's deltas (each character once), not the frames
      }
      case "message_complete": {
        this.confirming.delete(event.message.id);
        this.emitAll(this.replies.complete(event.message));
        const view = this.sessions.get(event.message.sessionId);
        if (view) {
          this.merge(view, [event.message]);
          this.checkSession(view);
        }
        break;
      }
      case "stop_acknowledged":
        this.stops.settleSession(event.sessionId, { stopping: event.stopping });
        break;
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
    this.emitter.emit(event);
  }

  private onJoined(event: ServerEventOf<"session_joined">): void {
    const view = this.sessions.get(event.session.id);
    if (!view) return;
    view.session = event.session;
    view.joining = false;
    const before = view.lastSeq;
    for (const message of event.history) this.settleCutReply(message);
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
      if (send.sessionId === view.id && send.sentOn !== this.connection.generation && !send.retryTimer) this.transmitSend(send);
    }
    for (const stop of this.stops.ofSession(view.id)) if (stop.sentOn !== this.connection.generation) this.transmitStop(stop);
    this.settleCutReplies(view);
  }

  /** A message of a rejoin's history that a reply held was cut into: that reply was stored (its rest goes to the app), or its seq went to another message (its turn failed). */
  private settleCutReply(message: Message): void {
    if (this.replies.text(message.id) === undefined) return;
    this.confirming.delete(message.id);
    this.emitAll(message.role === "assistant" ? this.replies.complete(message) : this.replies.discard(message.id));
  }

  /**
   * After a rejoin, the replies cut by the drop that its history did not
   * bring back. One still being written continues by itself: the server sends
   * this connection the reply so far. Whether one is, the session's status
   * tells; if no turn runs, the turn ended while we were away, and a second
   * join shows whether its reply was stored meanwhile. A reply still missing
   * then was never stored: its turn failed, and its text is discarded.
   */
  private settleCutReplies(view: SessionView): void {
    const cut = this.replies.detached(view.id);
    const unsettled = cut.filter((messageId) => !this.confirming.has(messageId));
    for (const messageId of cut) {
      if (!this.confirming.delete(messageId)) continue;
      this.emitAll(this.replies.discard(messageId));
    }
    if (unsettled.length === 0) return;
    this.status(view.id).then(
      (status) => {
        const still = this.replies.detached(view.id);
        if (status.turnInProgress || still.length === 0 || !view.joined) return;
        for (const messageId of still) this.confirming.add(messageId);
        this.sendJoin(view);
      },
      () => {}, // the connection was lost again: the next rejoin asks again
    );
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
      this.emitAll(this.replies.discardSession(event.sessionId));
      for (const pending of [...this.pending.values()]) {
        if (pending.sessionId === event.sessionId && pending.userMessage) this.failSend(pending, event);
      }
      return;
    }
    // A join refused: one asked for by join(), or made for a send or a stop (`joining`).
    if (view && (view.joinWaiters.length > 0 || view.joining) && ["not_found", "unauthorized", "invalid_frame", "internal"].includes(event.code)) {
      view.joining = false;
      const error = new SessionError(event);
      for (const waiter of view.joinWaiters.splice(0)) waiter.reject(error);
      if (event.code !== "internal") {
        view.wanted = false;
        for (const pending of [...this.pending.values()]) if (pending.sessionId === view.id) this.pending.settle(pending, error);
        this.emitAll(this.replies.discardSession(view.id));
      }
    }
    // A stop of this session failed, or the join it waited for did (the error does not say which request it answers; one for a send names it).
    if (!event.clientMessageId) this.stops.settleSession(event.sessionId, new SessionError(event));
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
      const delay = event.retryAfter !== undefined ? event.retryAfter * 1000 : backoffDelay(this.backoff, send.retried);
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
    this.pending.settle(send, new SessionError(event, send.clientMessageId));
  }

  private emitAll(events: readonly RealtimeEvent[]): void {
    for (const event of events) this.emitter.emit(event);
  }

  private merge(view: SessionView, messages: readonly Message[]): void {
    const added = mergeMessages(view, messages);
    if (added.length === 0) return;
    this.emitter.emit({ type: "history_updated", sessionId: view.id, added });
    // A frame we never got: ask the server for what follows lastSeq.
    if (view.joined && hasGap(view, added)) this.sendJoin(view);
  }

  private checkSession(view: SessionView): void {
    for (const send of [...this.pending.values()]) if (send.sessionId === view.id) this.checkPending(send, view);
  }

  /** Settles a send whose reply is in the local history. */
  private checkPending(send: PendingSend, view: SessionView): void {
    const reply = findReply(send, view.messages);
    if (reply) this.pending.settle(send, reply);
  }
}
