/**
 * The text of each reply being written, assembled from what the server
 * sends of it: deltas placed by `offset`, and on a rejoin the reply so far
 * (`reply_in_progress`). The app is given each character once and in order:
 * what it has already is skipped (an overlapping piece gives only its new
 * tail), and a piece that would leave a hole, or that contradicts what is
 * held, discards the reply (`stream_reset`) rather than papering over it. A
 * lost connection keeps the text: the rejoin continues it.
 *
 * Pure: it returns the events to emit; the client emits them.
 */
import type { Message, ServerEventOf } from "../types";
import type { MessageDeltaEvent, StreamResetEvent } from "./events";

/** Where a piece of reply text (`text` from `offset`) falls against the text held (from offset 0). */
export type Placement =
  /** It brings characters not held yet: these, starting at `offset` (the held length). */
  | { kind: "new"; offset: number; text: string }
  /** Everything in it is held already. */
  | { kind: "held" }
  /** It starts beyond the held text: what lies between never arrived. */
  | { kind: "gap" }
  /** Where it overlaps the held text it says something else: not the text held (a reply written again). */
  | { kind: "conflict" };

export function place(held: string, offset: number, text: string): Placement {
  if (offset > held.length) return { kind: "gap" };
  const overlap = Math.min(text.length, held.length - offset);
  if (held.slice(offset, offset + overlap) !== text.slice(0, overlap)) return { kind: "conflict" };
  if (overlap === text.length) return { kind: "held" };
  return { kind: "new", offset: held.length, text: text.slice(overlap) };
}

export type AssemblyEvent = MessageDeltaEvent | StreamResetEvent;

interface HeldReply {
  sessionId: string;
  text: string;
  /** The socket it streamed on was lost, and nothing of it has come on a new one yet. */
  detached: boolean;
}

interface Piece {
  sessionId: string;
  messageId: string;
  offset: number;
  text: string;
  /** The server frame it came in; -1 when it came in none (the reply so far, the stored reply). */
  seq: number;
}

/** `seq` of a delta the client made from something other than a delta frame. */
const NO_FRAME = -1;

export class ReplyAssembly {
  private readonly replies = new Map<string, HeldReply>();

  /** The text held of a reply being written. */
  text(messageId: string): string | undefined {
    return this.replies.get(messageId)?.text;
  }

  /** A `message_delta` frame. */
  delta(event: ServerEventOf<"message_delta">): AssemblyEvent[] {
    return this.take({ sessionId: event.sessionId, messageId: event.messageId, offset: event.offset, text: event.delta, seq: event.seq });
  }

  /** A `reply_in_progress` frame: the reply so far, on a (re)join while it is written. */
  inProgress(event: ServerEventOf<"reply_in_progress">): AssemblyEvent[] {
    return this.take({ sessionId: event.sessionId, messageId: event.messageId, offset: event.offset, text: event.text, seq: NO_FRAME });
  }

  /**
   * The stored reply (`message_complete`, or a rejoin's history): the
   * characters of it not given yet, and the reply is done. A stored text
   * that does not continue the held one discards the held one instead.
   */
  complete(message: Message): AssemblyEvent[] {
    const held = this.replies.get(message.id);
    if (!held) return [];
    this.replies.delete(message.id);
    if (!message.content.startsWith(held.text)) return [reset(message.id, held)];
    const rest = message.content.slice(held.text.length);
    return rest ? [delta({ sessionId: held.sessionId, messageId: message.id, offset: held.text.length, text: rest, seq: NO_FRAME })] : [];
  }

  /** The socket was lost: every reply is kept, to be continued (or settled) by the rejoin. */
  detachAll(): void {
    for (const held of this.replies.values()) held.detached = true;
  }

  /** The replies of the session that nothing has come of since the socket they streamed on was lost. */
  detached(sessionId: string): string[] {
    return [...this.replies].filter(([, held]) => held.sessionId === sessionId && held.detached).map(([messageId]) => messageId);
  }

  /** Drops a reply that will not be continued (its turn failed, or ended without it). */
  discard(messageId: string): AssemblyEvent[] {
    const held = this.replies.get(messageId);
    if (!held) return [];
    this.replies.delete(messageId);
    return [reset(messageId, held)];
  }

  discardSession(sessionId: string): AssemblyEvent[] {
    return [...this.replies].filter(([, held]) => held.sessionId === sessionId).flatMap(([messageId]) => this.discard(messageId));
  }

  discardAll(): AssemblyEvent[] {
    return [...this.replies.keys()].flatMap((messageId) => this.discard(messageId));
  }

  private take(piece: Piece): AssemblyEvent[] {
    const held = this.replies.get(piece.messageId);
    if (!held) return this.start(piece);
    const placement = place(held.text, piece.offset, piece.text);
    switch (placement.kind) {
      case "held":
        held.detached = false;
        return [];
      case "new":
        held.detached = false;
        held.text += placement.text;
        return [delta({ ...piece, offset: placement.offset, text: placement.text })];
      case "gap":
      case "conflict":
        // What is held cannot be continued by this piece; a piece from the start begins the reply again.
        this.replies.delete(piece.messageId);
        return [reset(piece.messageId, held), ...this.start(piece)];
    }
  }

  /** A reply not held: only a piece from its start can begin it; a later one waits for the reply so far or the stored reply. */
  private start(piece: Piece): AssemblyEvent[] {
    if (piece.offset !== 0) return [];
    this.replies.set(piece.messageId, { sessionId: piece.sessionId, text: piece.text, detached: false });
    return piece.text ? [delta(piece)] : [];
  }
}

function delta(piece: Piece): MessageDeltaEvent {
  return {
    type: "message_delta",
    sessionId: piece.sessionId,
    messageId: piece.messageId,
    seq: piece.seq,
    offset: piece.offset,
    delta: piece.text,
    ...(piece.seq === NO_FRAME ? { rebuilt: true as const } : {}),
  };
}

function reset(messageId: string, held: HeldReply): StreamResetEvent {
  return { type: "stream_reset", sessionId: held.sessionId, messageId, text: held.text };
}
