/**
 * Sends not yet answered, by `clientMessageId`: the key the server
 * deduplicates on, so a send can go again after a reconnect and still make
 * one user message and one reply, and its promise settles exactly once.
 */
import type { Message } from "../types";

export interface PendingSend {
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

export function newPendingSend(fields: { sessionId: string; clientMessageId: string; content: string; retriesLeft: number }): PendingSend {
  let resolve!: (message: Message) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<Message>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { ...fields, sentOn: -1, retried: 0, promise, resolve, reject };
}

export class PendingSends {
  private readonly sends = new Map<string, PendingSend>();

  get(clientMessageId: string): PendingSend | undefined {
    return this.sends.get(clientMessageId);
  }

  has(clientMessageId: string): boolean {
    return this.sends.has(clientMessageId);
  }

  add(send: PendingSend): void {
    this.sends.set(send.clientMessageId, send);
  }

  values(): IterableIterator<PendingSend> {
    return this.sends.values();
  }

  /** Resolves or rejects the send, once: a later outcome for it (or for a send it replaced) is ignored. */
  settle(send: PendingSend, outcome: Message | Error): void {
    if (this.sends.get(send.clientMessageId) !== send) return;
    this.sends.delete(send.clientMessageId);
    clearTimeout(send.retryTimer);
    if (outcome instanceof Error) send.reject(outcome);
    else send.resolve(outcome);
  }
}

/** The reply to the send in the session's history, once it has ended (completed or stopped), if it is there yet. */
export function findReply(send: PendingSend, messages: ReadonlyMap<number, Message>): Message | undefined {
  if (!send.userMessage) {
    for (const message of messages.values()) {
      if (message.role === "user" && message.clientMessageId === send.clientMessageId) send.userMessage = message;
    }
  }
  if (!send.userMessage) return undefined;
  const max = Math.max(...messages.keys());
  for (let seq = send.userMessage.seq + 1; seq <= max; seq++) {
    const message = messages.get(seq);
    if (message?.role === "assistant" && hasEnded(message)) return message;
    if (message?.role === "user") return undefined; // unanswered, and the session moved on (a failed reply)
  }
  return undefined;
}

/** A reply that is done: complete, or stopped by its user (stored as far as it was written). */
function hasEnded(message: Message): boolean {
  return message.status === "complete" || message.stopReason !== undefined;
}
