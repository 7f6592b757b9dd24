import * as Connection from "@coach/core/connection";
import { LeaveSession } from "@coach/core/realtime";
import { postToConnection } from "../shared/connections";
import { wsRoute } from "./shared/route";

export const handler = wsRoute(LeaveSession, async ({ frame, connectionId }) => {
  await Connection.leave(connectionId, frame.sessionId);
  await postToConnection(connectionId, { type: "session_left", sessionId: frame.sessionId });
});
