import { okr } from "../../packages/core/src/okr/flow";
import type { StackInstruments } from "./dynamo-calls";
import { percentiles, type Percentiles } from "./realtime";
import { BenchSocket } from "./ws-client";

const WAIT_MS = 15_000;

export interface StopRejoinRun {
  delayMs: number;
  /** How often a running turn reads its lock (LOCK_WATCH_MS): what both paths wait on. */
  watchMs: number;
  turns: number;
  /** join_session sent on a second connection while a reply streams → its reply_in_progress received. */
  rejoin: Percentiles;
  /** stop_generation sent → message_complete with `stopped` received by the sender. */
  stop: Percentiles;
  /** Turns whose reply ended before the stop arrived (no `stopped`): not counted in `stop`. */
  missedStops: number;
  failed: number;
  error?: string;
}

/**
 * Stop and rejoin latency, one turn at a time (so each figure is the path
 * alone, not a queue): a session's first connection sends a message with the
 * offline coach paced at `delayMs` per word; once the first delta arrives, a
 * second, already open connection joins (rejoin latency: join sent →
 * reply_in_progress); once that greeting is in, the first connection stops
 * the reply (stop latency: stop sent → message_complete stopped). Both wait
 * on the running turn's look at its lock, every LOCK_WATCH_MS, so they are
 * dominated by it: expect about half of it at p50 and all of it at p99.
 */
export async function measureStopRejoin(instruments: StackInstruments, options: { turns: number; delayMs: number }): Promise<StopRejoinRun> {
  const { stack, log, Conversation, as } = instruments;
  // Imported here, not at the top: core reads the table's configuration on import, which the stack sets up first.
  const { LOCK_WATCH_MS: watchMs } = await import("@coach/core/turn");
  log(`stop/rejoin: ${options.turns} turns, OFFLINE_COACH_DELAY_MS=${options.delayMs}`);
  const previousDelay = process.env.OFFLINE_COACH_DELAY_MS;
  process.env.OFFLINE_COACH_DELAY_MS = String(options.delayMs);
  const rejoin: number[] = [];
  const stop: number[] = [];
  let missedStops = 0;
  let failed = 0;
  const sockets: BenchSocket[] = [];
  try {
    for (let turn = 0; turn < options.turns; turn++) {
      const userId = `bench-stop-${turn}`;
      const sessionId = await as(userId, async () => (await Conversation.create({}, okr)).id);
      const token = stack.issuer.token(userId);
      const [writer, joiner] = await Promise.all([BenchSocket.open(stack.wsUrl, token, WAIT_MS), BenchSocket.open(stack.wsUrl, token, WAIT_MS)]);
      sockets.push(writer, joiner);
      try {
        let from = writer.frames.length;
        writer.send({ action: "join_session", sessionId });
        await writer.waitForType("session_joined", WAIT_MS, from);
        from = writer.frames.length;
        writer.send({ action: "send_message", sessionId, clientMessageId: `stop-${turn}`, content: "We want to cut onboarding time for new engineers in half this quarter." });
        await writer.waitForType("message_delta", WAIT_MS, from);

        const joinFrom = joiner.frames.length;
        const joinSent = joiner.send({ action: "join_session", sessionId });
        const greeting = await joiner.waitForType("reply_in_progress", WAIT_MS, joinFrom);
        rejoin.push(greeting.at - joinSent);

        const stopFrom = writer.frames.length;
        const stopSent = writer.send({ action: "stop_generation", sessionId });
        const complete = await writer.waitForType("message_complete", WAIT_MS, stopFrom);
        if (complete.event.stopped === true) stop.push(complete.at - stopSent);
        else missedStops++;
      } catch (error) {
        failed++;
        log(`stop/rejoin: turn ${turn} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      await Promise.all([writer.close(2_000), joiner.close(2_000)]);
    }
    return { ...options, watchMs, rejoin: percentiles(rejoin), stop: percentiles(stop), missedStops, failed };
  } catch (error) {
    return { ...options, watchMs, rejoin: percentiles(rejoin), stop: percentiles(stop), missedStops, failed, error: error instanceof Error ? error.message : String(error) };
  } finally {
    if (previousDelay === undefined) delete process.env.OFFLINE_COACH_DELAY_MS;
    else process.env.OFFLINE_COACH_DELAY_MS = previousDelay;
  }
}
