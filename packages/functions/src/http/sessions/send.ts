import * as z from "@coach/core/zod";
import * as Conversation from "@coach/core/conversation";
import * as Turn from "@coach/core/turn";
import { metrics } from "../../shared/metrics";
import { recordTurnMetrics } from "../../shared/turn-metrics";
import { runPorts } from "../../shared/turn-ports";
import { httpRoute } from "../shared/route";
import { SessionPath } from "./params";

const Body = z.pick(Turn.SendInput, { clientMessageId: true, content: true });

const Exchange = z.object({ userMessage: Conversation.Message, assistantMessage: Conversation.Message });

/**
 * The REST fallback for clients without a WebSocket: the same turn as
 * send_message (same events to the session's connections, same resend
 * rules), run to the end inside the request, so bounded by API Gateway's
 * 29 s. A resend of the same clientMessageId answers 200 with the original
 * exchange and never starts a second reply.
 */
export const handler = httpRoute(
  "POST /api/sessions/{id}/messages",
  { path: SessionPath, body: Body, summary: "Send a message and get the coach's reply (200 for a resend)", response: { status: 201, schema: Exchange } },
  async ({ path, body, event }) => {
    const exchange = await Turn.exchange({ sessionId: path.id, ...body }, await runPorts(path.id, event.requestContext.requestId));
    if (exchange.outcome) {
      recordTurnMetrics(exchange.outcome);
      metrics.publishStoredMetrics();
    }
    return { status: exchange.replied ? 201 : 200, body: { userMessage: exchange.userMessage, assistantMessage: exchange.assistantMessage } };
  },
);
