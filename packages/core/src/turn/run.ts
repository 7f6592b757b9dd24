import { ulid } from "ulid";
import type { ToolCall, ToolResult } from "../ai";
import { ProviderError } from "../ai/provider";
import * as MessageEntity from "../conversation/message";
import { moveHorizon, stopExpiring } from "../conversation/expiry";
import { appendWrites } from "../conversation/messages";
import type * as Session from "../conversation/session";
import { loadOwnedSession } from "../conversation/store";
import { VisibleError } from "../error";
import { createDocument } from "../document";
import { loadFlowTurn, providerTools, type AnyFlowTurn, type FlowEffect } from "../flow/plugin";
import { legacyFlowState, saveFlowState, stateFromItem, type VersionedState } from "../flow/state";
import { transact, TransactionRefused } from "../table";
import { readTurnContext } from "./context";
import { claimTurn, readLock, releaseLock, releaseLockWrite, type TurnLock } from "./lock";
import type { Fanout, RunPorts, TurnTicket } from "./ports";
import { ReplyStream } from "./reply-stream";
import { watchTurn } from "./watch";

export type TurnOutcome =
  | { kind: "completed"; message: MessageEntity.Message; stopped: boolean; deltas: number; frames: number; firstDeltaMs?: number; totalMs: number }
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
 * released. While it runs it watches its lock: a stop asked for there aborts
 * the provider and stores the reply as written so far (incomplete, stopReason
 * user); a connection that joined is sent the reply so far. Runs as the
 * session's owner (the caller sets the actor).
 */
export async function run(ticket: TurnTicket, ports: RunPorts): Promise<TurnOutcome> {
  const started = performance.now();
  const workerId = ulid();
  const claimed = await claimTurn(ticket.sessionId, ticket.turnId, workerId);
  if (!claimed) return { kind: "skipped" };

  const { fanout } = ports;
  const messageId = MessageEntity.messageId(ticket.sessionId, ticket.userSeq + 1);
  const reply = new ReplyStream(fanout, ticket.sessionId, messageId, ports.coalesce ?? DEFAULT_COALESCE);
  const stop = new AbortController();
  const onLock = (lock: TurnLock) => {
    if (lock.stopRequested) stop.abort();
    void reply.admit(lock.rejoiners);
  };

  let deltas = 0;
  let firstDeltaMs: number | undefined;
  let usage: MessageEntity.TokenUsage | undefined;
  const watch = watchTurn(ticket, workerId, onLock);
  await fanout.send({ type: "typing_indicator", sessionId: ticket.sessionId, on: true });
  onLock(claimed);
  try {
    const context = await readTurnContext(ticket.sessionId, ticket.userSeq, ports.historyWindow ?? DEFAULT_HISTORY_WINDOW);
    const turn = await loadFlowTurn(ports.flows, context.session.flow);
    const state = stateFromItem(turn.flow, context.stateItem) ?? (await legacyFlowState(ticket.sessionId, turn.flow));
    const tools = new ToolRunner(turn, context.session, state, fanout);
    const provider = turn.provider?.(context.session, state.state) ?? ports.provider;
    const request = {
      messages: context.history,
      system: turn.instructions(state.state),
      tools: providerTools(turn),
      runTool: (call: ToolCall) => tools.run(call),
      ...(turn.standIn ? { standIn: turn.standIn(state.state) } : {}),
      ...(turn.effort ? { generation: { effort: turn.effort } } : {}),
      signal: AbortSignal.any([watch.lost, stop.signal]),
    };
    let thinking = false;
    try {
      if (!stop.signal.aborted) {
        for await (const event of provider.stream(request)) {
          if (event.type === "done") {
            usage = event.usage;
            continue;
          }
          // What the provider still writes once the stop is asked for is not part of the reply.
          if (stop.signal.aborted) continue;
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
          reply.push(event.text);
        }
      }
    } catch (error) {
      // A provider aborted by the stop ends as it can (the Claude SDK throws); the reply so far is what stays.
      if (!stop.signal.aborted || watch.lost.aborted) throw error;
      if (error instanceof ProviderError && error.usage) usage = error.usage;
    }
    if (watch.lost.aborted) throw new LockLost();
    const stopped = stop.signal.aborted;
    if (!reply.text && !stopped) throw new ProviderError("The provider returned an empty reply", true);
    if (!stopped) await tools.finish();
    await reply.close();
    const message = await storeReply(ticket, tools.session, reply, {
      content: reply.text,
      ...(usage ? { usage } : {}),
      ...(stopped ? { status: "incomplete", stopReason: "user" } : { status: "complete" }),
    });
    await fanout.send({ type: "message_complete", message, ...(stopped ? { stopped: true as const } : {}) });
    // Closed once the reply that says so has reached them, not mid-reply.
    if (tools.completed) await fanout.closeCompleted?.();
    return { kind: "completed", message, stopped, deltas, frames: reply.frames, firstDeltaMs, totalMs: performance.now() - started };
  } catch (caught) {
    reply.discard();
    const error = watch.lost.aborted ? new LockLost(undefined, { cause: caught }) : caught;
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
    return { kind: "failed", code: lockLost ? "lock_lost" : "provider_error", retryable, error, deltas, frames: reply.frames, totalMs: performance.now() - started };
  } finally {
    watch.stop();
    await fanout.send({ type: "typing_indicator", sessionId: ticket.sessionId, on: false }).catch(() => undefined);
  }
}

/**
 * The turn's side of a tool call: validate and apply it with the flow (an
 * invalid input is reported back to the model and stores nothing), store the
 * new state version, and tell the session's clients about phase changes.
 * Calls apply in order, each to the state the previous one left; the
 * session it tracks is what the reply is stored against.
 */
class ToolRunner {
  /** The session's document was written in this turn. */
  completed = false;

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
    this.state = await saveFlowState(this.session.id, this.turn.flow, this.state, outcome.state, outcome.effects, this.session.ttl);
    // The save moved the session's phase with a version bump; the reply is stored against that.
    if (phase !== this.session.phase) this.session = { ...this.session, phase, version: this.session.version + 1 };
    for (const effect of outcome.effects) await this.tell(effect);
    return { content: outcome.result };
  }

  /** The flow's closing call, if its state still needs one once the provider is done. */
  async finish(): Promise<void> {
    const call = this.turn.finish?.(this.turn.flow.stateSchema.parse(this.state.state));
    if (call) await this.run({ id: `finish-${call.name}`, ...call });
  }

  /** What a flow's effect means to the session's clients (and, for a finished document, to the table). */
  private async tell(effect: FlowEffect): Promise<void> {
    const sessionId = this.session.id;
    switch (effect.type) {
      case "phase_transition":
        return this.fanout.send({ type: "phase_transition", sessionId, from: effect.from, to: effect.to });
      case "next_question":
        return this.fanout.send({ type: "next_question", sessionId, question: effect.question, progress: effect.progress, ...(effect.error ? { error: effect.error } : {}) });
      case "document_ready": {
        // One document per session: a turn retried after this point finds the one it wrote.
        const document = await createDocument({
          userId: this.session.userId,
          title: effect.title,
          markdown: effect.markdown,
          sessionId,
          ...(effect.templateId ? { templateId: effect.templateId } : {}),
          ...(effect.templateVersion ? { templateVersion: effect.templateVersion } : {}),
        });
        // Its document stored, the session is done: it no longer expires (nor does the reply stored after this).
        this.session = await stopExpiring(this.session);
        this.completed = true;
        return this.fanout.send({ type: "session_complete", sessionId, documentId: document.id });
      }
      case "transition_rejected":
        return;
    }
  }
}

class LockLost extends Error {
  override readonly name = "LockLost";
}

const MAX_STORE_ATTEMPTS = 5;

type Reply = Pick<MessageEntity.Message, "content" | "status" | "usage" | "stopReason">;

/**
 * Stores the reply and releases the lock together. The session may have
 * changed meanwhile (ended, resolved): retry on its version. A connection
 * may have joined since the worker last looked at the lock: the release
 * fails on it, the connection is sent the reply, and the store goes again,
 * so nobody who joined mid-reply is left without it.
 */
async function storeReply(ticket: TurnTicket, known: Session.Info, stream: ReplyStream, reply: Reply): Promise<MessageEntity.Message> {
  let session = known;
  for (let attempt = 1; ; attempt++) {
    if (session.messageCount !== ticket.userSeq) throw new LockLost();
    const { message, writes, restamp } = appendWrites(session, { role: "assistant", ...reply }, { evenIfEnded: true });
    try {
      if (restamp) await moveHorizon(ticket.sessionId, restamp);
      await transact({ ...writes, release: releaseLockWrite(ticket.sessionId, ticket.turnId, stream.rejoinersSeen) });
      return message;
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      if (attempt >= MAX_STORE_ATTEMPTS) throw error;
      if (error.failed.has("release")) {
        const lock = await readLock(ticket.sessionId);
        if (lock?.turnId !== ticket.turnId) throw new LockLost(undefined, { cause: error });
        await stream.admit(lock.rejoiners);
        await stream.close();
      }
      if (error.failed.has("session")) session = await loadOwnedSession(ticket.sessionId);
    }
  }
}
