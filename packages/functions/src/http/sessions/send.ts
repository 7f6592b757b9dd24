import { z } from "zod";
import { withActor } from "@coach/core/actor";
import { aiProvider } from "../../shared/ai-provider";
import * as Conversation from "@coach/core/conversation";
import { VisibleError } from "@coach/core/error";
import * as Turn from "@coach/core/turn";
import { sessionFanout } from "../../shared/connections";
import { metrics } from "../../shared/metrics";
import { recordTurnMetrics } from "../../shared/turn-metrics";
import { httpRoute } from "../shared/route";
import { SessionPath } from "./params";

const Body = Turn.SendInput.pick({ clientMessageId: true, content: true });

const Exchange = z.object({ userMessage: Conversation.Message, assistantMessage: Conversation.Message });

/**
 * The REST fallback for clients without a WebSocket: the same turn as
 * send_message, run to the end inside the request (so bounded by API
 * Gateway's 29 s). Connected WebSocket clients of the session still see the
 * reply stream. A resend of the same clientMessageId returns the original
 * exchange and never starts a second reply.
 */
export const handler = httpRoute({ auth: "user", path: SessionPath, body: Body, summary: "Send a message and get the coach's reply (200 for a resend)", response: { status: 201, schema: Exchange } }, async ({ path, body, userId, event }) => {
  const accepted = await Turn.acceptUserMessage({ sessionId: path.id, ...body });
  const sink = sessionFanout(path.id);
  if (accepted.kind === "accepted") await sink.send({ type: "message_accepted", clientMessageId: body.clientMessageId, message: accepted.message });
  if (!accepted.ticket) {
    const reply = await replyTo(accepted.message);
    if (!reply) throw new VisibleError("conflict", "turn.in_progress", "The reply to this message is still being written", { retryable: true });
    return { status: 200, body: { userMessage: accepted.message, assistantMessage: reply } };
  }
  const provider = await aiProvider();
  const outcome = await withActor({ type: "user", userId }, () =>
    Turn.runTurn(accepted.ticket!, { provider, sink, requestId: event.requestContext.requestId }),
  );
  recordTurnMetrics(outcome);
  metrics.publishStoredMetrics();
  if (outcome.kind === "completed") return { status: 201, body: { userMessage: accepted.message, assistantMessage: outcome.message } };
  if (outcome.kind === "skipped") throw new VisibleError("conflict", "turn.in_progress", "The reply to this message is being written elsewhere", { retryable: true });
  if (!outcome.retryable) throw new VisibleError("upstream", "provider_error", "The coach could not answer this message because of a fault on our side, which has been logged", { retryable: false });
  throw new VisibleError("unavailable", "provider.unavailable", "The coach could not answer just now; send the message again", { retryable: true });
});

async function replyTo(message: Conversation.Message): Promise<Conversation.Message | undefined> {
  const next = await Conversation.history({ sessionId: message.sessionId, afterSeq: message.seq, limit: 1 });
  const reply = next.messages[0];
  return reply?.role === "assistant" ? reply : undefined;
}
