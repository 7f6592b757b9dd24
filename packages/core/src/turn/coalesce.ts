/**
 * Coalesces a provider's token deltas into few, ordered frames: a frame goes
 * out when the buffered text reaches `maxBytes` or `maxDelayMs` after the
 * first buffered delta, whichever comes first, so a reply costs a handful of
 * posts instead of one per token and no frame nears API Gateway's 32 KB.
 * Frames are emitted strictly one after another, numbered from 0, each with
 * the offset of its first character in the whole text.
 */
export interface CoalescerOptions {
  maxDelayMs: number;
  maxBytes: number;
  /** `offset`: where `text` starts in the whole text, in UTF-16 code units. */
  emit: (text: string, seq: number, offset: number) => Promise<void>;
}

export class DeltaCoalescer {
  private buffer = "";
  private timer: ReturnType<typeof setTimeout> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  private seq = 0;
  /** The text of every frame emitted or queued so far. */
  private framed = "";

  constructor(private readonly options: CoalescerOptions) {}

  /** Frames emitted so far (and queued). */
  get frames(): number {
    return this.seq;
  }

  push(text: string): void {
    this.buffer += text;
    if (Buffer.byteLength(this.buffer) >= this.options.maxBytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.maxDelayMs);
  }

  /** Emits what is buffered and waits for every frame to be out. Rethrows an emit failure. */
  async close(): Promise<void> {
    this.flush();
    await this.chain;
    if (this.failure) throw this.failure;
  }

  /**
   * Runs `task` in frame order: after every frame queued so far, before any
   * later one, with the text of the frames before it. Text still buffered
   * goes out in a later frame, so a task that adds a listener (a connection
   * that joined mid-reply) sees each character exactly once.
   */
  after(task: (framed: string) => Promise<void>): Promise<void> {
    const framed = this.framed;
    const done = this.chain.then(() => task(framed));
    this.chain = done.catch(() => undefined);
    return done;
  }

  /** Drops what is buffered and stops emitting (the turn failed). */
  discard(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.buffer = "";
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.buffer) return;
    for (const piece of splitByBytes(this.buffer, this.options.maxBytes)) {
      const seq = this.seq++;
      const offset = this.framed.length;
      this.framed += piece;
      this.chain = this.chain.then(() => this.options.emit(piece, seq, offset)).catch((error: unknown) => {
        this.failure ??= error;
      });
    }
    this.buffer = "";
  }
}

/** Splits text into pieces of at most maxBytes UTF-8 bytes without cutting a character. */
export function splitByBytes(text: string, maxBytes: number): string[] {
  if (Buffer.byteLength(text) <= maxBytes) return [text];
  const pieces: string[] = [];
  let piece = "";
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > maxBytes) {
      pieces.push(piece);
      piece = "";
      bytes = 0;
    }
    piece += char;
    bytes += size;
  }
  if (piece) pieces.push(piece);
  return pieces;
}
