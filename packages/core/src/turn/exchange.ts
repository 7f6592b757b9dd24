import * as MessageEntity from "../conversation/message";
import { readHistory } from "../conversation/messages";
import { VisibleError } from "../error";
import { accept, type SendInput } from "./accept";
import type { RunPorts } from "./ports";
import { run, type TurnOutcome } from "./run";

export interface Exchange {
  /** Whether this request produced the reply (false: a resend of a message already answered). */
  replied: boolean;
  userMessage: MessageEntity.Message;
  assistantMessage: MessageEntity.Message;
  /** The turn this request ran, if it ran one (for metrics). */
  outcome?: TurnOutcome;
}

/**
 * A whole turn inside one request, for clients without a WebSocket: the
 * same `accept` as send_message (same events, same resend rules, same
 * release of a hand-off that fails), with the request itself as the
 * dispatcher. A resend of an answered message returns the stored exchange
 * and never starts a second reply.
 */
export async function exchange(input: SendInput, ports: RunPorts): Promise<Exchange> {
  let outcome: TurnOutcome | undefined;
  const accepted = await accept(input, {
    fanout: ports.fanout,
    dispatch: async (ticket) => {
      outcome = await run(ticket, ports);
    },
  });
  if (!outcome) {
    const reply = await replyTo(accepted.message);
    if (!reply) throw new VisibleError("conflict", "turn.in_progress", "The reply to this message is still being written", { retryable: true });
    return { replied: false, userMessage: accepted.message, assistantMessage: reply };
  }
  if (outcome.kind === "completed") return { replied: true, userMessage: accepted.message, assistantMessage: outcome.message, outcome };
  if (outcome.kind === "skipped") throw new VisibleError("conflict", "turn.in_progress", "The reply to this message is being written elsewhere", { retryable: true });
  if (!outcome.retryable) {
    throw new VisibleError("upstream", "provider_error", "The coach could not answer this message because of a fault on our side, which has been logged", { retryable: false });
  }
  throw new VisibleError("unavailable", "provider.unavailable", "The coach could not answer just now; send the message again", { retryable: true });
}

async function replyTo(message: MessageEntity.Message): Promise<MessageEntity.Message | undefined> {
  const next = await readHistory({ sessionId: message.sessionId, afterSeq: message.seq, limit: 1 });
  const reply = next.messages[0];
  return reply?.role === "assistant" ? reply : undefined;
}
