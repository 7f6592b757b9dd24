import * as Connection from "@coach/core/connection";
import { JoinSession } from "@coach/core/realtime";
import { postToConnection, replaceOlderConnections } from "../shared/connections";
import { wsRoute } from "./shared/route";

/**
 * Subscribes the connection to the session's stream and sends what it
 * missed: exactly the messages after `afterSeq`, in order. A client that
 * dropped mid-reply rejoins with its last seq and gets the completed reply.
 * A questionnaire (a `last_wins` flow) first closes its user's older
 * connections to it, then says which question it asks now.
 */
export const handler = wsRoute(JoinSession, async ({ frame, connectionId, requestId }) => {
  const { session, history, hasMore } = await Connection.joinWithHistory(connectionId, frame.sessionId, frame.afterSeq);
  await postToConnection(connectionId, { type: "session_joined", session, history, hasMore });
  if (session.flow !== "questionnaire") return;
  // Loaded only for questionnaires: the other flows' joins keep their cold start.
  const Questionnaire = await import("@coach/core/questionnaire");
  if (Questionnaire.questionnaire.connectionPolicy === "last_wins") await replaceOlderConnections(session.id, connectionId, requestId);
  const asking = await Questionnaire.nowAsking(session);
  if (asking) await postToConnection(connectionId, { type: "next_question", sessionId: session.id, ...asking });
});
