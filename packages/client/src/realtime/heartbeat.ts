/**
 * A `ping` every `intervalMs`; no `pong` within `timeoutMs` means the
 * connection is dead even though no close arrived (a half-open TCP connection).
 */
export class Heartbeat {
  private intervalTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    /** Sends a `ping`; false if it could not go out. */
    private readonly ping: () => boolean,
    private readonly onDead: () => void,
  ) {}

  start(): void {
    this.stop();
    this.intervalTimer = setInterval(() => {
      if (this.pongTimer) return;
      if (!this.ping()) return;
      this.pongTimer = setTimeout(() => {
        this.pongTimer = undefined;
        this.onDead();
      }, this.timeoutMs);
    }, this.intervalMs);
  }

  stop(): void {
    clearInterval(this.intervalTimer);
    clearTimeout(this.pongTimer);
    this.intervalTimer = undefined;
    this.pongTimer = undefined;
  }

  pong(): void {
    clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
  }
}
