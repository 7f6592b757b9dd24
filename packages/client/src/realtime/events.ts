import type { Message, ServerEvent } from "../types";

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
