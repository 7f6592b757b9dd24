import type { Message, ServerEvent, ServerEventOf } from "../types";

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
  | StreamResetEvent
  /** Messages new to the local history of a session (from any source: accepted, complete, rejoin), in seq order. */
  | { type: "history_updated"; sessionId: string; added: Message[] };

/**
 * The partial text of this reply (`text`, all the app was given of it) is
 * discarded: it cannot be continued without a hole or a contradiction (a
 * frame was lost, the turn failed, possibly while the connection was down,
 * or the client gave up). What the server stores of the reply, if anything,
 * still arrives, as `message_complete` or in a rejoin's history.
 */
export interface StreamResetEvent {
  type: "stream_reset";
  sessionId: string;
  messageId: string;
  text: string;
}

/**
 * The text of a reply being written, as the app should show it: for each
 * reply the deltas follow one another from offset 0 (`offset` = the length
 * of what came before), each character once, across reconnects too. The
 * server's frame, with what the app already has cut off. `rebuilt`: these
 * characters came in no delta frame (the reply so far the server sent on a
 * rejoin, or the stored reply's rest); `seq` is then -1.
 */
export type MessageDeltaEvent = ServerEventOf<"message_delta"> & { rebuilt?: true };

/**
 * The server's events as the app gets them: deltas are the client's own
 * (above), and `reply_in_progress` is not passed on, its text comes as
 * deltas.
 */
export type RealtimeEvent = Exclude<ServerEvent, { type: "message_delta" | "reply_in_progress" }> | MessageDeltaEvent | LifecycleEvent;
export type RealtimeEventType = RealtimeEvent["type"];
export type RealtimeEventOf<T extends RealtimeEventType> = Extract<RealtimeEvent, { type: T }>;

type Handler = (event: RealtimeEvent) => void;

export class Emitter {
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly anyHandlers = new Set<Handler>();

  /** Read at each emit, so a handler set on the options later still counts. */
  constructor(private readonly options: { onHandlerError?: (error: unknown) => void }) {}

  on<T extends RealtimeEventType>(type: T, handler: (event: RealtimeEventOf<T>) => void): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    const wrapped = handler as Handler;
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  onAny(handler: Handler): () => void {
    this.anyHandlers.add(handler);
    return () => this.anyHandlers.delete(handler);
  }

  emit(event: RealtimeEvent): void {
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

/**
 * The events as an async stream until `closed` (the last one), buffered until
 * read. `onAny` subscribes; `closed` says the client is already done.
 */
export function eventStream(onAny: (handler: Handler) => () => void, closed: boolean): AsyncIterableIterator<RealtimeEvent> {
  const queue: RealtimeEvent[] = [];
  let wake: (() => void) | undefined;
  let done = closed;
  const off = onAny((event) => {
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
