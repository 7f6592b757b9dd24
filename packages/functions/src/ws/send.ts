import * as Connection from "@coach/core/connection";
import { SendMessage } from "@coach/core/realtime";
import * as Turn from "@coach/core/turn";
import { sessionFanout } from "../shared/connections";
import { dispatchTurn } from "../shared/dispatch-turn";
import { wsRoute } from "./shared/route";

/**
 * Accepts the user's message (validated, authorized, rate-limited,
 * deduplicated, under the session's turn lock), tells every connection of
 * the session, and hands the AI reply to the turn worker. Sending to a
 * session joins it, so the sender sees the reply stream.
 */
export const handler = wsRoute(SendMessage, async ({ frame, connection, connectionId, requestId }) => {
  const accepted = await Turn.acceptUserMessage({ sessionId: frame.sessionId, clientMessageId: frame.clientMessageId, content: frame.content });
  if (!connection.sessions.includes(frame.sessionId)) await Connection.join(connectionId, frame.sessionId);
  await sessionFanout(frame.sessionId).send({ type: "message_accepted", clientMessageId: frame.clientMessageId, message: accepted.message });
  if (!accepted.ticket) return;
  try {
    await dispatchTurn({ ticket: accepted.ticket, requestId });
  } catch (error) {
    // The message is stored; free the session now rather than when the lock expires, so a resend retries at once.
    await Turn.abandonTurn(accepted.ticket);
    throw error;
  }
});
