/**
 * The local history of each session, merged from every source (accepted,
 * complete, rejoin) and deduplicated by `seq`, and the partial text of the
 * replies being streamed.
 */
import type { Message, ServerEventOf, Session } from "../types";
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

interface Partial {
  sessionId: string;
  text: string;
  nextSeq: number;
}

export interface CutReply {
  sessionId: string;
  messageId: string;
  text: string;
}

/** The text streamed so far of each reply being written, by message id. */
export class PartialReplies {
  private readonly partials = new Map<string, Partial>();

  text(messageId: string): string | undefined {
    return this.partials.get(messageId)?.text;
  }

  /** Appends a delta; false if it was already applied, so that it is not emitted twice. */
  apply(event: ServerEventOf<"message_delta">): boolean {
    let partial = this.partials.get(event.messageId);
    if (!partial) this.partials.set(event.messageId, (partial = { sessionId: event.sessionId, text: "", nextSeq: 0 }));
    if (event.seq < partial.nextSeq) return false;
    partial.text += event.delta;
    partial.nextSeq = event.seq + 1;
    return true;
  }

  complete(messageId: string): void {
    this.partials.delete(messageId);
  }

  /** Drops every partial text (after a drop the reply comes whole) and returns what was dropped. */
  cut(): CutReply[] {
    const cut = [...this.partials.entries()];
    this.partials.clear();
    return cut.map(([messageId, partial]) => ({ sessionId: partial.sessionId, messageId, text: partial.text }));
  }
}
