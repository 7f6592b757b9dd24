import { okr } from "../../packages/core/src/okr/flow";
import type { StackInstruments } from "./dynamo-calls";
import { measureStopRejoin, type StopRejoinRun } from "./stop-rejoin";
import { BenchSocket, type ReceivedFrame } from "./ws-client";

/**
 * The realtime sections, run on the stack the route scenarios used:
 * delivery latency of a reply's deltas, posts per reply, and how many
 * WebSocket connections the local runtime holds while broadcasts still
 * arrive within 100 ms.
 */

const WAIT_MS = 15_000;
/** The coalescer's defaults in packages/core/src/turn/run.ts (not exported; restated for the report). */
export const COALESCE_WINDOW_MS = 50;

export interface Percentiles {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { n: 0, p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { n: sorted.length, p50: rank(0.5), p99: rank(0.99), max: sorted[sorted.length - 1]! };
}

export interface ReplyBatch {
  delayMs: number;
  replies: number;
  failed: number;
  sessions: number;
  /** Mean over replies. */
  postsPerReply: number;
  deltaFramesPerReply: number;
  providerDeltasPerReply: number;
  maxFrameBytes: number;
  maxDeltaFrameBytes: number;
  /** Per word (provider delta), delay > 0 only: frame receipt − production on the nominal schedule t0 + (k+1)·D. */
  nominal?: Percentiles;
  /** The same against the schedule stretched to the stream's observed end. */
  stretched?: Percentiles;
  /** Mean of (observed stream duration − n·D) per reply: the timers' accumulated lateness, the gap between the two schedules. */
  meanTimerLatenessMs?: number;
  durationMs: number;
}

export interface ConnectionLevel {
  target: number;
  /** `connectionCount()` of the runtime once this level was reached. */
  held: number;
  sessions: number;
  /** Wall time to open and join the connections added for this level. */
  connectWallMs: number;
  /** Per added connection: upgrade (with $connect) + join_session until session_joined. */
  connectEach: Percentiles;
  connectFailures: number;
  /** A sample of held connections pings one at a time: ping sent → pong received. */
  pacedPing: Percentiles;
  /** Every held connection pings at once: ping sent → pong received. */
  pingBurst: Percentiles;
  pingFailures: number;
  /** message_accepted at the sender → message_complete at each connection of the session. */
  broadcast: Percentiles;
  /** Per session: last − first connection's receipt of message_complete. */
  fanoutSpread: Percentiles;
  broadcastFailures: number;
}

export interface ConnectionRun {
  connectionsPerSession: number;
  users: number;
  broadcastSessions: number;
  levels: ConnectionLevel[];
  /** Set when the ramp stopped early. */
  stoppedEarly?: string;
  closeMs: number;
  durationMs: number;
}

export interface RealtimeRun {
  replyBatches: ReplyBatch[];
  stopRejoin?: StopRejoinRun;
  connections?: ConnectionRun;
  error?: string;
}

export interface RealtimeOptions {
  /** OFFLINE_COACH_DELAY_MS for the latency batch. */
  delayMs: number;
  /** Replies per batch. */
  replies: number;
  /** Sessions replying in parallel (one connection each). */
  parallel: number;
  levels: number[];
  /** Budget of the connections section. */
  connectionsBudgetMs: number;
}

export async function measureRealtime(instruments: StackInstruments, options: RealtimeOptions): Promise<RealtimeRun> {
  const replyBatches: ReplyBatch[] = [];
  try {
    for (const delayMs of [0, options.delayMs]) {
      replyBatches.push(await replyBatch(instruments, { ...options, delayMs }));
    }
    // Paced slower than the latency batch, so the reply is still being written when the stop arrives.
    const stopRejoin = await measureStopRejoin(instruments, { turns: 30, delayMs: 40 });
    const connections = await connectionRamp(instruments, options);
    return { replyBatches, stopRejoin, connections };
  } catch (error) {
    return { replyBatches, error: error instanceof Error ? error.message : String(error) };
  }
}

/** How the offline coach splits its reply into deltas. */
const words = (text: string) => text.split(/(?<=\s)/);

/**
 * `replies` AI turns over `parallel` sessions (one joined connection each),
 * with OFFLINE_COACH_DELAY_MS = delayMs (the offline coach reads it per turn).
 *
 * Delivery latency, per word: the worker's provider cannot be observed from
 * outside without a product hook, so each word's production time is
 * reconstructed from the offline coach's deterministic schedule: it sleeps D
 * before every word, so word k (from 0) is yielded at t0 + (k+1)·D, where t0
 * is when the turn's last DynamoDB call on the session before the stream
 * completed (history, flow state, tool calls; seen by the bench's middleware
 * on core's DynamoDB client, in this process's clock). Timers fire late, so that nominal schedule is early and the
 * latency it gives an upper bound; the "stretched" schedule spreads the same n
 * words evenly up to the start of the turn's next DynamoDB call (storeReply's
 * transaction, which follows the last word and the last frame's post), which
 * gives a lower bound. Receipt is when the client's `message` event fired for
 * the frame that carries the word's first character.
 */
async function replyBatch(instruments: StackInstruments, options: RealtimeOptions): Promise<ReplyBatch> {
  const { stack, log, Conversation, as } = instruments;
  const { delayMs } = options;
  const started = performance.now();
  log(`realtime: ${options.replies} replies over ${options.parallel} sessions, OFFLINE_COACH_DELAY_MS=${delayMs}`);
  const previousDelay = process.env.OFFLINE_COACH_DELAY_MS;
  process.env.OFFLINE_COACH_DELAY_MS = String(delayMs);

  /** Every DynamoDB call of the batch with its input as text, to find each turn's calls by the session's key. */
  const calls: { name: string; text: string; start: number; end: number }[] = [];
  const stopListening = instruments.onDynamoCall((call) => {
    if (calls.length < 20_000) calls.push({ name: call.name, text: JSON.stringify(call.input ?? null), start: call.start, end: call.end });
  });

  const sockets: BenchSocket[] = [];
  const nominal: number[] = [];
  const stretched: number[] = [];
  const lateness: number[] = [];
  let replies = 0;
  let failed = 0;
  let deltaFrames = 0;
  let providerDeltas = 0;
  let maxFrameBytes = 0;
  let maxDeltaFrameBytes = 0;
  let postsBefore = 0;
  try {
    const lanes = await Promise.all(
      Array.from({ length: options.parallel }, async (_, lane) => {
        const userId = `bench-latency-${delayMs}-${lane}`;
        const sessionId = await as(userId, async () => (await Conversation.create({}, okr)).id);
        const socket = await BenchSocket.open(stack.wsUrl, stack.issuer.token(userId), WAIT_MS);
        sockets.push(socket);
        const from = socket.frames.length;
        socket.send({ action: "join_session", sessionId });
        await socket.waitForType("session_joined", WAIT_MS, from);
        return { sessionId, socket };
      }),
    );
    postsBefore = instruments.posts();
    const perLane = Math.ceil(options.replies / options.parallel);
    await Promise.all(
      lanes.map(async ({ sessionId, socket }, lane) => {
        const pk = `SESSION#${sessionId}`;
        for (let i = 0; i < perLane && lane * perLane + i < options.replies; i++) {
          const from = socket.frames.length;
          const sentAt = socket.send({
            action: "send_message",
            sessionId,
            clientMessageId: `latency-${lane}-${i}`,
            content: "We want to cut onboarding time for new engineers in half this quarter.",
          });
          try {
            const complete = await socket.waitFor((f) => f.event.type === "message_complete" || f.event.type === "session_error", WAIT_MS, from);
            await socket.waitFor((f) => f.event.type === "typing_indicator" && f.event.on === false, WAIT_MS, from, "typing_indicator off");
            if (complete.event.type !== "message_complete") throw new Error(`turn answered ${String(complete.event.type)} ${String(complete.event.code)}`);
            const frames = socket.frames.slice(from);
            for (const frame of frames) maxFrameBytes = Math.max(maxFrameBytes, frame.bytes);
            const message = complete.event.message as { id: string; content: string };
            const deltas = frames.filter((f) => f.event.type === "message_delta" && f.event.messageId === message.id).sort((a, b) => Number(a.event.seq) - Number(b.event.seq));
            for (const frame of deltas) maxDeltaFrameBytes = Math.max(maxDeltaFrameBytes, frame.bytes);
            const replyWords = words(message.content);
            deltaFrames += deltas.length;
            providerDeltas += replyWords.length;
            replies++;
            if (delayMs > 0) {
              const n = replyWords.length;
              const firstReceipt = deltas[0]?.at ?? Number.NaN;
              // t0: the end of the turn's last DynamoDB call on this session before the stream (history, flow state, tool calls);
              // the first word is yielded D after the stream starts, and nothing of the turn touches DynamoDB while it streams.
              // The turn's looks at its lock (stop, rejoin) go on while it streams: they are not part of its schedule.
              const mine = calls.filter((call) => call.start > sentAt && call.text.includes(pk) && !(call.name === "GetItemCommand" && call.text.includes('"TURN"')));
              const t0 = Math.max(...mine.filter((call) => call.end < firstReceipt - delayMs).map((call) => call.end));
              // tEnd: storeReply's transaction, the first one that starts after the stream could have ended (timers never fire early).
              const tEnd = mine.find((call) => call.name === "TransactWriteItemsCommand" && call.start > t0 + n * delayMs)?.start;
              if (!Number.isFinite(t0) || tEnd === undefined) throw new Error("could not find the turn's last call before the stream / closing session read");
              const receipts = receiptPerWord(replyWords, deltas);
              lateness.push(tEnd - t0 - n * delayMs);
              receipts.forEach((at, k) => {
                nominal.push(at - (t0 + (k + 1) * delayMs));
                stretched.push(at - (t0 + ((k + 1) / n) * (tEnd - t0)));
              });
            }
          } catch (error) {
            failed++;
            log(`realtime: reply ${lane}/${i} failed: ${error instanceof Error ? error.message : String(error)}`);
            // Let a stuck turn's lock run out of this session: stop this lane.
            return;
          }
        }
      }),
    );
    const posts = instruments.posts() - postsBefore;
    return {
      delayMs,
      replies,
      failed,
      sessions: options.parallel,
      postsPerReply: replies ? posts / replies : Number.NaN,
      deltaFramesPerReply: replies ? deltaFrames / replies : Number.NaN,
      providerDeltasPerReply: replies ? providerDeltas / replies : Number.NaN,
      maxFrameBytes,
      maxDeltaFrameBytes,
      ...(delayMs > 0
        ? {
            nominal: percentiles(nominal),
            stretched: percentiles(stretched),
            meanTimerLatenessMs: lateness.length ? lateness.reduce((a, b) => a + b, 0) / lateness.length : Number.NaN,
          }
        : {}),
      durationMs: performance.now() - started,
    };
  } finally {
    stopListening();
    if (previousDelay === undefined) delete process.env.OFFLINE_COACH_DELAY_MS;
    else process.env.OFFLINE_COACH_DELAY_MS = previousDelay;
    await closeAll(instruments, sockets, 10_000);
  }
}

/** For each word, the receipt time of the delta frame holding its first character (frames concatenate to the reply, in seq order). */
function receiptPerWord(replyWords: string[], deltas: ReceivedFrame[]): number[] {
  const frameEnds: { end: number; at: number }[] = [];
  let offset = 0;
  for (const frame of deltas) {
    offset += String(frame.event.delta ?? "").length;
    frameEnds.push({ end: offset, at: frame.at });
  }
  const receipts: number[] = [];
  let start = 0;
  let f = 0;
  for (const word of replyWords) {
    while (f < frameEnds.length - 1 && frameEnds[f]!.end <= start) f++;
    receipts.push(frameEnds[f]?.at ?? Number.NaN);
    start += word.length;
  }
  return receipts;
}

/** Closes sockets in bounded batches and waits (bounded) for the runtime to finish their $disconnects. */
async function closeAll(instruments: StackInstruments, sockets: BenchSocket[], budgetMs: number): Promise<void> {
  const open = sockets.filter((socket) => socket.isOpen);
  const target = instruments.runtime.completed("WS $disconnect") + open.length;
  for (let i = 0; i < open.length; i += 100) await Promise.all(open.slice(i, i + 100).map((socket) => socket.close(2_000)));
  await instruments.runtime.waitFor("WS $disconnect", target, budgetMs).catch((error: unknown) => instruments.log(`realtime: ${String(error)}`));
}

const CONNECTIONS_PER_SESSION = 10;
const USERS = 100;
const BROADCAST_SESSIONS = 20;
const CONNECT_CONCURRENCY = 50;
const PACED_PINGS = 100;

interface Held {
  socket: BenchSocket;
  sessionIndex: number;
}

/**
 * Ramps the connections the runtime holds through `levels` (e.g. 250, 500,
 * 1000). Layout: sessions of 10 connections each (all of the session owner's;
 * think tabs and devices), session i owned by user i mod 100, so 1,000
 * connections are 100 sessions of 100 users and every broadcast is a 10-way
 * fan-out. At each level: (1) 100 held connections, spread over all, ping
 * one after another; (2) 20 sessions, one after another, each send one
 * message (offline coach, no delay) and message_complete is timed at all 10
 * connections of the session from the sender's message_accepted; (3) every
 * held connection pings at once (a stress figure). Bounded by the budget: a
 * level that would not fit is skipped.
 */
async function connectionRamp(instruments: StackInstruments, options: RealtimeOptions): Promise<ConnectionRun> {
  const { stack, log, Conversation, as } = instruments;
  const started = performance.now();
  const deadline = started + options.connectionsBudgetMs;
  const held: Held[] = [];
  const sessions: string[] = [];
  const tokens = new Map<string, string>();
  const userOf = (sessionIndex: number) => `bench-conn-${sessionIndex % USERS}`;
  const tokenOf = (userId: string) => {
    let token = tokens.get(userId);
    if (!token) tokens.set(userId, (token = stack.issuer.token(userId)));
    return token;
  };
  const levels: ConnectionLevel[] = [];
  let stoppedEarly: string | undefined;
  let round = 0;
  try {
    for (const target of options.levels) {
      const elapsed = performance.now() - started;
      const last = levels[levels.length - 1];
      // Estimate this level's cost from the previous one, per connection.
      if (last && elapsed + ((last.connectWallMs + 2_000) / Math.max(1, last.target)) * target > options.connectionsBudgetMs) {
        stoppedEarly = `stopped before ${target} connections: the ${Math.round(options.connectionsBudgetMs / 1000)} s budget would be exceeded`;
        break;
      }
      log(`connections: ramping to ${target} (held now ${stack.connectionCount()})`);
      const sessionsNeeded = Math.ceil(target / CONNECTIONS_PER_SESSION);
      while (sessions.length < sessionsNeeded) {
        const batch = Array.from({ length: Math.min(20, sessionsNeeded - sessions.length) }, (_, i) => sessions.length + i);
        sessions.push(...(await Promise.all(batch.map((index) => as(userOf(index), async () => (await Conversation.create({}, okr)).id)))));
      }
      const connectStart = performance.now();
      const connectTimes: number[] = [];
      let connectFailures = 0;
      const toAdd = Array.from({ length: target - held.length }, (_, i) => held.length + i);
      for (let i = 0; i < toAdd.length; i += CONNECT_CONCURRENCY) {
        if (performance.now() > deadline) throw new Error(`budget exceeded while connecting (${held.length} held)`);
        await Promise.all(
          toAdd.slice(i, i + CONNECT_CONCURRENCY).map(async (index) => {
            const sessionIndex = Math.floor(index / CONNECTIONS_PER_SESSION);
            const t = performance.now();
            try {
              const socket = await BenchSocket.open(stack.wsUrl, tokenOf(userOf(sessionIndex)), WAIT_MS);
              held.push({ socket, sessionIndex });
              const from = socket.frames.length;
              socket.send({ action: "join_session", sessionId: sessions[sessionIndex] });
              const joined = await socket.waitFor((f) => f.event.type === "session_joined" || f.event.type === "session_error", WAIT_MS, from);
              if (joined.event.type !== "session_joined") throw new Error(`join answered ${String(joined.event.code)}`);
              connectTimes.push(performance.now() - t);
            } catch (error) {
              connectFailures++;
              if (connectFailures <= 3) log(`connections: connect/join failed: ${error instanceof Error ? error.message : String(error)}`);
            }
          }),
        );
      }
      const connectWallMs = performance.now() - connectStart;

      // (1) Paced pings: a sample of held connections, one ping at a time.
      const paced: number[] = [];
      let pingFailures = 0;
      const open = held.filter((entry) => entry.socket.isOpen);
      for (let i = 0; i < PACED_PINGS && open.length > 0; i++) {
        const { socket } = open[Math.floor((i * open.length) / PACED_PINGS)]!;
        const from = socket.frames.length;
        const sentAt = socket.send({ action: "ping" });
        try {
          paced.push((await socket.waitForType("pong", WAIT_MS, from)).at - sentAt);
        } catch {
          pingFailures++;
        }
      }

      // (2) Broadcasts, one turn at a time: message_accepted at the sender → message_complete at every connection of the session.
      const broadcast: number[] = [];
      const spread: number[] = [];
      let broadcastFailures = 0;
      round++;
      const count = Math.min(BROADCAST_SESSIONS, sessions.length);
      for (const sessionIndex of Array.from({ length: count }, (_, i) => Math.floor((i * sessions.length) / count))) {
        const members = held.filter((entry) => entry.sessionIndex === sessionIndex && entry.socket.isOpen).map((entry) => entry.socket);
        const sender = members[0];
        if (!sender) continue;
        const starts = new Map(members.map((socket) => [socket, socket.frames.length]));
        const clientMessageId = `ramp-${round}-${sessionIndex}`;
        sender.send({ action: "send_message", sessionId: sessions[sessionIndex], clientMessageId, content: "Our objective is faster onboarding." });
        try {
          const accepted = await sender.waitFor(
            (f) => (f.event.type === "message_accepted" && f.event.clientMessageId === clientMessageId) || f.event.type === "session_error",
            WAIT_MS,
            starts.get(sender),
          );
          if (accepted.event.type !== "message_accepted") throw new Error(`send answered ${String(accepted.event.code)}`);
          const completes = await Promise.all(members.map((socket) => socket.waitForType("message_complete", WAIT_MS, starts.get(socket))));
          for (const complete of completes) broadcast.push(complete.at - accepted.at);
          const times = completes.map((complete) => complete.at);
          spread.push(Math.max(...times) - Math.min(...times));
          // Let typing-off reach the members too, so the next measurement starts quiet.
          await Promise.all(
            members.map((socket) => socket.waitFor((f) => f.event.type === "typing_indicator" && f.event.on === false, WAIT_MS, starts.get(socket), "typing off")),
          );
        } catch (error) {
          broadcastFailures++;
          log(`connections: broadcast on session ${sessionIndex} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }

      // (3) Ping burst: every held connection at the same moment (a stress figure: N handler invocations at once).
      const burst: number[] = [];
      await Promise.all(
        held.map(async ({ socket }) => {
          if (!socket.isOpen) {
            pingFailures++;
            return;
          }
          const from = socket.frames.length;
          const sentAt = socket.send({ action: "ping" });
          try {
            burst.push((await socket.waitForType("pong", WAIT_MS, from)).at - sentAt);
          } catch {
            pingFailures++;
          }
        }),
      );

      const level: ConnectionLevel = {
        target,
        held: stack.connectionCount(),
        sessions: sessionsNeeded,
        connectWallMs,
        connectEach: percentiles(connectTimes),
        connectFailures,
        pacedPing: percentiles(paced),
        pingBurst: percentiles(burst),
        pingFailures,
        broadcast: percentiles(broadcast),
        fanoutSpread: percentiles(spread),
        broadcastFailures,
      };
      levels.push(level);
      log(
        `connections: ${level.held} held; connect ${(connectWallMs / 1000).toFixed(1)} s; ping p50/p99 ${level.pacedPing.p50.toFixed(1)}/${level.pacedPing.p99.toFixed(1)} ms ` +
          `(burst ${level.pingBurst.p50.toFixed(1)}/${level.pingBurst.p99.toFixed(1)}); ` +
          `broadcast p50/p99 ${level.broadcast.p50.toFixed(1)}/${level.broadcast.p99.toFixed(1)} ms`,
      );
    }
  } catch (error) {
    stoppedEarly = error instanceof Error ? error.message : String(error);
    log(`connections: ${stoppedEarly}`);
  }
  const closeStart = performance.now();
  log(`connections: closing ${held.length} connections`);
  await closeAll(
    instruments,
    held.map((entry) => entry.socket),
    30_000,
  );
  return {
    connectionsPerSession: CONNECTIONS_PER_SESSION,
    users: USERS,
    broadcastSessions: BROADCAST_SESSIONS,
    levels,
    ...(stoppedEarly ? { stoppedEarly } : {}),
    closeMs: performance.now() - closeStart,
    durationMs: performance.now() - started,
  };
}
