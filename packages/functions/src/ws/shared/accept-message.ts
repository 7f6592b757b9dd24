import * as Turn from "@coach/core/turn";
import { postToConnection, sessionFanout } from "../../shared/connections";
import { dispatchTurn } from "../../shared/dispatch-turn";

/**
 * The turn's accept for a message that came over a connection (validated,
 * rate-limited, deduplicated, stored under the session's turn lock,
 * announced), handing the AI reply to the turn worker. Sending to a session
 * joins it, so the sender sees the reply stream.
 */
export function acceptMessage(message: { sessionId: string; clientMessageId: string; content: string }, connectionId: string, requestId: string) {
  return Turn.accept(
    message,
    {
      fanout: sessionFanout(message.sessionId),
      answer: { send: async (event) => void (await postToConnection(connectionId, event)) },
      dispatch: (ticket) => dispatchTurn({ ticket, requestId }),
      connectionId,
    },
  );
}
