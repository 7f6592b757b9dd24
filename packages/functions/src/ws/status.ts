import * as Connection from "@coach/core/connection";
import * as Conversation from "@coach/core/conversation";
import { GetSessionStatus } from "@coach/core/realtime";
import * as Turn from "@coach/core/turn";
import { postToConnection } from "../shared/connections";
import { wsRoute } from "./shared/route";

export const handler = wsRoute(GetSessionStatus, async ({ frame, connectionId }) => {
  const session = await Conversation.get(frame.sessionId);
  const [lock, connections] = await Promise.all([Turn.readLock(session.id), Connection.ofSession(session.id)]);
  await postToConnection(connectionId, { type: "session_status", session, turnInProgress: lock !== undefined, connections: connections.length });
});
