import { SendMessage } from "@coach/core/realtime";
import * as Turn from "@coach/core/turn";
import { postToConnection, sessionFanout } from "../shared/connections";
import { dispatchTurn } from "../shared/dispatch-turn";
import { wsRoute } from "./shared/route";

/**
 * send_message: the turn's accept (validated, rate-limited, deduplicated,
 * stored under the session's turn lock, announced), handing the AI reply to
 * the turn worker. Sending to a session joins it, so the sender sees the
 * reply stream.
 */
export const handler = wsRoute(SendMessage, async ({ frame, connectionId, requestId }) => {
  await Turn.accept(frame, {
    fanout: sessionFanout(frame.sessionId),
    answer: { send: async (event) => void (await postToConnection(connectionId, event)) },
    dispatch: (ticket) => dispatchTurn({ ticket, requestId }),
    connectionId,
  });
});
