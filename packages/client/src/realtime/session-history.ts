/**
 * The local history of each session, merged from every source (accepted,
 * complete, rejoin) and deduplicated by `seq`. The replies being written are
 * in `reply-assembly.ts`.
 */
import type { Message, Session } from "../types";
import type { Waiter } from "./connection";

export interface JoinResult {
  session: Session;
  /** The whole local history of the session, in seq order. */
  messages: Message[];
}

export interface SessionView {
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

export function newSessionView(id: string, afterSeq: number): SessionView {
  return { id, wanted: false, messages: new Map(), lastSeq: afterSeq, joined: false, joining: false, joinWaiters: [] };
}

/** Every message held, in seq order. */
export function sortedMessages(view: SessionView): Message[] {
  return [...view.messages.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * Adds messages to the local history, once each; advances lastSeq over what
 * is now contiguous. Returns the ones that were new, in seq order.
 */
export function mergeMessages(view: SessionView, messages: readonly Message[]): Message[] {
  const added: Message[] = [];
  for (const message of messages) {
    if (message.sessionId !== view.id || message.seq <= 0) continue;
    const held = view.messages.get(message.seq);
    if (!held) added.push(message);
    if (!held || held.status !== "complete") view.messages.set(message.seq, message);
  }
  while (view.messages.has(view.lastSeq + 1)) view.lastSeq++;
  added.sort((a, b) => a.seq - b.seq);
  return added;
}

/** A gap (a frame we never got) lies before some of the added messages. */
export function hasGap(view: SessionView, added: readonly Message[]): boolean {
  return added.some((message) => message.seq > view.lastSeq + 1);
}

/** Whether the session's local history holds the message: a stored reply is done, nothing more streams into it. */
export function holdsMessage(view: SessionView, messageId: string): boolean {
  for (const message of view.messages.values()) if (message.id === messageId) return true;
  return false;
}
