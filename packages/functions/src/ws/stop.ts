import { StopGeneration } from "@coach/core/realtime";
import * as Turn from "@coach/core/turn";
import { postToConnection } from "../shared/connections";
import { wsRoute } from "./shared/route";

/** stop_generation: asks the session's running reply to stop (it ends with message_complete, stopped); answered to the sender. */
export const handler = wsRoute(StopGeneration, async ({ frame, connectionId }) => {
  const { sessionId, stopping } = await Turn.stop(frame.sessionId);
  await postToConnection(connectionId, { type: "stop_acknowledged", sessionId, stopping });
});
