import { ulid } from "ulid";
import type { ToolCall, ToolResult } from "../ai";
import { ProviderError } from "../ai/provider";
import * as MessageEntity from "../conversation/message";
import { appendWrites } from "../conversation/messages";
import type * as Session from "../conversation/session";
import { loadOwnedSession } from "../conversation/store";
import { VisibleError } from "../error";
import { flowNamed, providerTools, type AnyFlowTurn } from "../flow/plugin";
import { legacyFlowState, saveFlowState, stateFromItem, type VersionedState } from "../flow/state";
import { transact, TransactionRefused } from "../table";
import { DeltaCoalescer } from "./coalesce";
import { readTurnContext } from "./context";
import { claimTurn, extendLock, lockSeconds, releaseLock, releaseLockWrite } from "./lock";
import type { Fanout, RunPorts, TurnTicket } from "./ports";

export type TurnOutcome =
  | { kind: "completed"; message: MessageEntity.Message; deltas: number; frames: number; firstDeltaMs?: number; totalMs: number }
  | { kind: "failed"; code: "provider_error" | "lock_lost"; retryable: boolean; error: unknown; deltas: number; frames: number; totalMs: number }
  /** Another worker has (or had) this turn: a duplicate delivery of the job. Nothing was done. */
  | { kind: "skipped" };

const DEFAULT_COALESCE = { maxDelayMs: 50, maxBytes: 4096 };
const DEFAULT_HISTORY_WINDOW = 40;

/**
 * The second half of a turn, the same wherever it runs (the worker, or the
 * REST request): claim the turn, read the history, the session and the
 * flow's state in one Query, run the provider with the flow's instructions
 * and tools, relay its deltas coalesced, then store the assistant message
 * and release the lock in one transaction. On failure nothing is stored
 * (the user message stays), the session gets a session_error and the lock is
 * released. Runs as the session's owner (the caller sets the actor).
 */
export async function run(ticket: TurnTicket, ports: RunPorts): Promise<TurnOutcome> {
  const started = performance.now();
  const workerId = ulid();
  if (!(await claimTurn(ticket.sessionId, ticket.turnId, workerId))) return { kind: "skipped" };

  const { fanout } = ports;
  const messageId = MessageEntity.messageId(ticket.sessionId, ticket.userSeq + 1);
  const coalescer = new DeltaCoalescer({
    ...(ports.coalesce ?? DEFAULT_COALESCE),
    emit: (delta, frame) => fanout.send({ type: "message_delta", sessionId: ticket.sessionId, messageId, seq: frame, delta }),
  });

  let text = "";
  let deltas = 0;
  let firstDeltaMs: number | undefined;
  let usage: MessageEntity.TokenUsage | undefined;
  const heartbeat = keepLockAlive(ticket, workerId);
  await fanout.send({ type: "typing_indicator", sessionId: ticket.sessionId, on: true });
  try {
    const context = await readTurnContext(ticket.sessionId, ticket.userSeq, ports.historyWindow ?? DEFAULT_HISTORY_WINDOW);
    const turn = flowNamed(ports.flows, context.session.flow);
    const state = stateFromItem(turn.flow, context.stateItem) ?? (await legacyFlowState(ticket.sessionId, turn.flow));
    const tools = new ToolRunner(turn, context.session, state, fanout);
    const request = {
      messages: context.history,
      system: turn.instructions(state.state),
      tools: providerTools(turn),
      runTool: (call: ToolCall) => tools.run(call),
      ...(turn.standIn ? { standIn: turn.standIn(state.state) } : {}),
      ...(turn.effort ? { generation: { effort: turn.effort } } : {}),
      signal: heartbeat.signal,
    };
    let thinking = false;
    for await (const event of ports.provider.stream(request)) {
      if (event.type === "done") {
        usage = event.usage;
        continue;
      }
      if (event.type === "thinking") {
        if (!thinking) await fanout.send({ type: "typing_indicator", sessionId: ticket.sessionId, on: true, stage: "thinking" });
        thinking = true;
        continue;
      }
      if (thinking) {
        thinking = false;
        await fanout.send({ type: "typing_indicator", sessionId: ticket.sessionId, on: true, stage: "writing" });
      }
      // Time to first token is to the first text: thinking is not a token the user sees.
      firstDeltaMs ??= performance.now() - started;
      deltas++;
      text += event.text;
      coalescer.push(event.text);
    }
    if (heartbeat.signal.aborted) throw new LockLost();
    if (!text) throw new ProviderError("The provider returned an empty reply", true);
    await coalescer.close();
    const message = await storeReply(ticket, tools.session, { content: text, usage });
    await fanout.send({ type: "message_complete", message });
    return { kind: "completed", message, deltas, frames: coalescer.frames, firstDeltaMs, totalMs: performance.now() - started };
  } catch (caught) {
    coalescer.discard();
    const error = heartbeat.signal.aborted ? new LockLost(undefined, { cause: caught }) : caught;
    const lockLost = error instanceof LockLost;
    // Conditional on our turn id: frees the session if we still hold it, leaves another turn's lock alone.
    await releaseLock(ticket.sessionId, ticket.turnId).catch(() => undefined);
    const retryable = lockLost || !(error instanceof ProviderError) || error.retryable;
    await fanout.send({
      type: "session_error",
      code: "provider_error",
      message: lockLost
        ? "The reply took too long and was abandoned; send the message again"
        : retryable
          ? "The coach could not answer just now; send the message again"
          : "The coach could not answer this message because of a fault on our side, which has been logged; sending it again will not help until it is fixed",
      retryable,
      requestId: ports.requestId,
      sessionId: ticket.sessionId,
    });
    return { kind: "failed", code: lockLost ? "lock_lost" : "provider_error", retryable, error, deltas, frames: coalescer.frames, totalMs: performance.now() - started };
  } finally {
    heartbeat.stop();
    await fanout.send({ type: "typing_indicator", sessionId: ticket.sessionId, on: false }).catch(() => undefined);
  }
}

/**
 * Renews the turn lock on a timer while the turn runs, whether or not the
 * provider is producing deltas (a slow first token or an SDK backoff must not
 * let it lapse). If the lock is lost, the signal aborts the provider.
 */
function keepLockAlive(ticket: TurnTicket, workerId: string) {
  const controller = new AbortController();
  const timer = setInterval(() => {
    extendLock(ticket.sessionId, ticket.turnId, workerId)
      .then((held) => {
        if (!held) controller.abort();
      })
      .catch(() => undefined); // a missed renewal is retried on the next tick, with two thirds of the period still left
  }, (lockSeconds() * 1000) / 3);
  return { signal: controller.signal, stop: () => clearInterval(timer) };
}

/**
 * The turn's side of a tool call: validate and apply it with the flow (an
 * invalid input is reported back to the model and stores nothing), store the
 * new state version, and tell the session's clients about phase changes.
 * Calls apply in order, each to the state the previous one left; the
 * session it tracks is what the reply is stored against.
 */
class ToolRunner {
  constructor(
    private readonly turn: AnyFlowTurn,
    public session: Session.Info,
    private state: VersionedState,
    private readonly fanout: Fanout,
  ) {}

  async run(call: ToolCall): Promise<ToolResult> {
    let outcome;
    try {
      outcome = this.turn.applyTool(this.turn.flow.stateSchema.parse(this.state.state), { name: call.name, input: call.input });
    } catch (error) {
      if (error instanceof VisibleError) return { content: error.message, isError: true };
      throw error;
    }
    const phase = this.turn.flow.phaseOf(outcome.state);
    this.state = await saveFlowState(this.session.id, this.turn.flow, this.state, outcome.state, outcome.effects);
    // The save moved the session's phase with a version bump; the reply is stored against that.
    if (phase !== this.session.phase) this.session = { ...this.session, phase, version: this.session.version + 1 };
    for (const effect of outcome.effects) {
      if (effect.type === "phase_transition") await this.fanout.send({ type: "phase_transition", sessionId: this.session.id, from: effect.from, to: effect.to });
    }
    return { content: outcome.result };
  }
}

class LockLost extends Error {
  override readonly name = "LockLost";
}

const MAX_STORE_ATTEMPTS = 5;

/** Stores the reply and releases the lock together; the session may have changed meanwhile (ended, resolved), so retry on its version. */
async function storeReply(ticket: TurnTicket, known: Session.Info, reply: { content: string; usage?: MessageEntity.TokenUsage }): Promise<MessageEntity.Message> {
  let session = known;
  for (let attempt = 1; ; attempt++) {
    if (session.messageCount !== ticket.userSeq) throw new LockLost();
    const { message, writes } = appendWrites(session, { role: "assistant", content: reply.content, status: "complete", usage: reply.usage }, { evenIfEnded: true });
    try {
      await transact({ ...writes, release: releaseLockWrite(ticket.sessionId, ticket.turnId) });
      return message;
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      if (error.failed.has("release")) throw new LockLost(undefined, { cause: error });
      if (attempt >= MAX_STORE_ATTEMPTS) throw error;
      session = await loadOwnedSession(ticket.sessionId);
    }
  }
}
