import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { ulid } from "ulid";
import type { AiProvider, ProviderMessage, ToolCall, ToolResult } from "../ai";
import { ProviderError } from "../ai";
import { appendWrites } from "../conversation/messages";
import * as MessageEntity from "../conversation/message";
import { loadOwnedSession } from "../conversation/store";
import type { ServerEvent } from "../realtime";
import { VisibleError } from "../error";
import { flowFor, loadFlowState, providerTools, saveFlowState, type VersionedState } from "../flow";
import type * as Session from "../conversation/session";
import { documentClient, tableName } from "../table";
import { DeltaCoalescer } from "./coalesce";
import type { TurnTicket } from "./accept";
import { claimTurn, extendLock, lockSeconds, releaseLock, releaseLockWrite } from "./lock";

/** Where a turn's events go: every connection of the session. */
export interface TurnSink {
  send(event: ServerEvent): Promise<void>;
}

export interface TurnOptions {
  provider: AiProvider;
  sink: TurnSink;
  /** Names the request in session_error events and logs. */
  requestId: string;
  /** Coalescing window and size bound; defaults suit API Gateway. */
  coalesce?: { maxDelayMs: number; maxBytes: number };
  /** How many earlier messages the provider sees. */
  historyWindow?: number;
}

export type TurnOutcome =
  | { kind: "completed"; message: MessageEntity.Message; deltas: number; frames: number; firstDeltaMs?: number; totalMs: number }
  | { kind: "failed"; code: "provider_error" | "lock_lost"; retryable: boolean; error: unknown; deltas: number; frames: number; totalMs: number }
  /** Another worker has (or had) this turn: a duplicate delivery of the job. Nothing was done. */
  | { kind: "skipped" };

const DEFAULT_COALESCE = { maxDelayMs: 50, maxBytes: 4096 };

/**
 * Steps 3–5 of a turn: run the provider on the recent history, relay its
 * deltas coalesced, then store the assistant message and release the lock in
 * one transaction. On failure nothing is stored (the user message stays), the
 * session gets a retryable session_error and the lock is released. Runs as the
 * session's owner (the caller sets the actor).
 */
export async function runTurn(ticket: TurnTicket, options: TurnOptions): Promise<TurnOutcome> {
  const started = performance.now();
  const workerId = ulid();
  if (!(await claimTurn(ticket.sessionId, ticket.turnId, workerId))) return { kind: "skipped" };

  const session = await loadOwnedSession(ticket.sessionId);
  const seq = ticket.userSeq + 1;
  const messageId = MessageEntity.messageId(ticket.sessionId, seq);
  const { sink } = options;
  const coalescer = new DeltaCoalescer({
    ...(options.coalesce ?? DEFAULT_COALESCE),
    emit: (delta, frame) => sink.send({ type: "message_delta", sessionId: ticket.sessionId, messageId, seq: frame, delta }),
  });

  let text = "";
  let deltas = 0;
  let firstDeltaMs: number | undefined;
  let usage: MessageEntity.TokenUsage | undefined;
  const heartbeat = keepLockAlive(ticket, workerId);
  await sink.send({ type: "typing_indicator", sessionId: ticket.sessionId, on: true });
  try {
    const messages = await recentHistory(ticket.sessionId, ticket.userSeq, options.historyWindow ?? 40);
    const flow = flowFor(session.flow);
    const flowState = await loadFlowState(session);
    const request = {
      flow: session.flow,
      phase: session.phase,
      messages,
      system: flow.systemPrompt(flowState.state),
      tools: providerTools(flow),
      state: flowState.state,
      runTool: toolRunner(session, flowState, sink),
      ...(flow.effort ? { generation: { effort: flow.effort } } : {}),
      signal: heartbeat.signal,
    };
    let thinking = false;
    for await (const event of options.provider.stream(request)) {
      if (event.type === "done") {
        usage = event.usage;
        continue;
      }
      if (event.type === "thinking") {
        if (!thinking) await sink.send({ type: "typing_indicator", sessionId: ticket.sessionId, on: true, stage: "thinking" });
        thinking = true;
        continue;
      }
      if (thinking) {
        thinking = false;
        await sink.send({ type: "typing_indicator", sessionId: ticket.sessionId, on: true, stage: "writing" });
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
    const message = await storeReply(ticket, { content: text, usage });
    await sink.send({ type: "message_complete", message });
    return { kind: "completed", message, deltas, frames: coalescer.frames, firstDeltaMs, totalMs: performance.now() - started };
  } catch (caught) {
    coalescer.discard();
    const error = heartbeat.signal.aborted ? new LockLost(undefined, { cause: caught }) : caught;
    const lockLost = error instanceof LockLost;
    // Conditional on our turn id: frees the session if we still hold it, leaves another turn's lock alone.
    await releaseLock(ticket.sessionId, ticket.turnId).catch(() => undefined);
    const retryable = lockLost || !(error instanceof ProviderError) || error.retryable;
    await sink.send({
      type: "session_error",
      code: "provider_error",
      message: lockLost
        ? "The reply took too long and was abandoned; send the message again"
        : retryable
          ? "The coach could not answer just now; send the message again"
          : "The coach could not answer this message because of a fault on our side, which has been logged; sending it again will not help until it is fixed",
      retryable,
      requestId: options.requestId,
      sessionId: ticket.sessionId,
    });
    return {
      kind: "failed",
      code: lockLost ? "lock_lost" : "provider_error",
      retryable,
      error,
      deltas,
      frames: coalescer.frames,
      totalMs: performance.now() - started,
    };
  } finally {
    heartbeat.stop();
    await sink.send({ type: "typing_indicator", sessionId: ticket.sessionId, on: false }).catch(() => undefined);
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
  }, (lockSeconds * 1000) / 3);
  return { signal: controller.signal, stop: () => clearInterval(timer) };
}

/**
 * The turn's side of a tool call: validate and apply it with the flow (an
 * invalid input is reported back to the model and stores nothing), store the
 * new state version, and tell the session's clients about phase changes.
 * Calls apply in order, each to the state the previous one left.
 */
function toolRunner(session: Session.Info, initial: VersionedState, sink: TurnSink) {
  const flow = flowFor(session.flow);
  let current = initial;
  return async (call: ToolCall): Promise<ToolResult> => {
    let outcome;
    try {
      outcome = flow.applyTool(current.state, { name: call.name, input: call.input });
    } catch (error) {
      if (error instanceof VisibleError) return { content: error.message, isError: true };
      throw error;
    }
    current = await saveFlowState(session.id, current, outcome.state, outcome.effects);
    for (const effect of outcome.effects) {
      if (effect.type === "phase_transition") await sink.send({ type: "phase_transition", sessionId: session.id, from: effect.from, to: effect.to });
    }
    return { content: outcome.result };
  };
}

class LockLost extends Error {
  override readonly name = "LockLost";
}

/** The messages before and including the user's, oldest first, complete ones only. */
async function recentHistory(sessionId: string, upToSeq: number, window: number): Promise<ProviderMessage[]> {
  const result = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
      ExpressionAttributeValues: {
        ":pk": MessageEntity.messageKeys.partition(sessionId),
        ":from": MessageEntity.messageKeys.sort(1),
        ":to": MessageEntity.messageKeys.sort(upToSeq),
      },
      ScanIndexForward: false,
      Limit: window,
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? [])
    .map(MessageEntity.fromItem)
    .reverse()
    .filter((m): m is MessageEntity.Message & { role: "user" | "assistant" } => m.status === "complete" && m.role !== "system")
    .map((m) => ({ role: m.role, content: m.content }));
}

/** Stores the reply and releases the lock together; the session may have changed meanwhile (ended, a phase moved), so retry on version. */
async function storeReply(ticket: TurnTicket, reply: { content: string; usage?: MessageEntity.TokenUsage }): Promise<MessageEntity.Message> {
  for (let attempt = 1; ; attempt++) {
    const session = await loadOwnedSession(ticket.sessionId);
    if (session.messageCount !== ticket.userSeq) throw new LockLost();
    const { message, writes } = appendWrites(
      session,
      { role: "assistant", content: reply.content, status: "complete", usage: reply.usage },
      { evenIfEnded: true },
    );
    try {
      await documentClient.send(new TransactWriteCommand({ TransactItems: [...writes, releaseLockWrite(ticket.sessionId, ticket.turnId)] }));
      return message;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [, sessionChanged, lockGone] = (error.CancellationReasons ?? []).map((r) => r.Code === "ConditionalCheckFailed");
      if (lockGone) throw new LockLost();
      if (!sessionChanged || attempt >= 5) throw error;
    }
  }
}

/** Gives up a turn that could not be started (its job was never delivered): the session is free at once. */
export async function abandonTurn(ticket: TurnTicket): Promise<void> {
  await releaseLock(ticket.sessionId, ticket.turnId);
}
