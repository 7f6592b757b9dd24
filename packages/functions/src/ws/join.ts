import * as Connection from "@coach/core/connection";
import { JoinSession } from "@coach/core/realtime";
import { postToConnection } from "../shared/connections";
import { wsRoute } from "./shared/route";

/**
 * Subscribes the connection to the session's stream and sends what it
 * missed: exactly the messages after `afterSeq`, in order. A client that
 * dropped mid-reply rejoins with its last seq and gets the completed reply.
 * A questionnaire also says which question it asks now.
 */
export const handler = wsRoute(JoinSession, async ({ frame, connectionId }) => {
  const { session, history, hasMore } = await Connection.joinWithHistory(connectionId, frame.sessionId, frame.afterSeq);
  await postToConnection(connectionId, { type: "session_joined", session, history, hasMore });
  if (session.flow !== "questionnaire") return;
  // Loaded only for questionnaires: the other flows' joins keep their cold start.
  const asking = await (await import("@coach/core/questionnaire")).nowAsking(session);
  if (asking) await postToConnection(connectionId, { type: "next_question", sessionId: session.id, ...asking });
});
