import type { Fanout } from "./ports";
import { DeltaCoalescer } from "./coalesce";

/**
 * The assistant reply as it streams to the session: deltas coalesced into
 * frames, each frame stamped with the reply's message id and the offset of
 * its first character. A connection that joined mid-reply is admitted
 * between two frames: it is sent the reply so far (`reply_in_progress`), and
 * every later frame, so it sees each character exactly once.
 */
export class ReplyStream {
  private readonly coalescer: DeltaCoalescer;
  private readonly handled = new Set<string>();
  /** Everything the provider wrote so far, frames out or not. */
  text = "";

  constructor(
    private readonly fanout: Fanout,
    private readonly sessionId: string,
    private readonly messageId: string,
    coalesce: { maxDelayMs: number; maxBytes: number },
  ) {
    this.coalescer = new DeltaCoalescer({
      ...coalesce,
      emit: (delta, seq, offset) => fanout.send({ type: "message_delta", sessionId, messageId, seq, offset, delta }),
    });
  }

  get frames(): number {
    return this.coalescer.frames;
  }

  /** How many joining connections the stream has looked at: the lock may be released only while no other asked. */
  get rejoinersSeen(): number {
    return this.handled.size;
  }

  push(text: string): void {
    this.text += text;
    this.coalescer.push(text);
  }

  /** Admits each connection not seen before, in frame order; the greeting is the reply as framed up to that point. */
  async admit(connectionIds: readonly string[]): Promise<void> {
    const fresh = connectionIds.filter((id) => !this.handled.has(id));
    for (const id of fresh) this.handled.add(id);
    const admit = this.fanout.admit?.bind(this.fanout);
    if (!admit || fresh.length === 0) return;
    await Promise.all(
      fresh.map((connectionId) =>
        this.coalescer.after(async (framed) => {
          await admit(connectionId, { type: "reply_in_progress", sessionId: this.sessionId, messageId: this.messageId, text: framed, offset: 0 });
        }),
      ),
    );
  }

  /** Sends what is buffered and waits for every frame (and greeting) to be out. */
  close(): Promise<void> {
    return this.coalescer.close();
  }

  /** Drops what is buffered (the turn failed). */
  discard(): void {
    this.coalescer.discard();
  }
}
