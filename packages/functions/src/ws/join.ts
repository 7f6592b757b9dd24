import * as Connection from "@coach/core/connection";
import * as Conversation from "@coach/core/conversation";
import { JoinSession } from "@coach/core/realtime";
import { postToConnection } from "../shared/connections";
import { wsRoute } from "./shared/route";

/** API Gateway frames carry at most 128 KB; history beyond this goes out in the next join. */
const MAX_HISTORY_BYTES = 96 * 1024;

/**
 * Subscribes the connection to the session's stream and sends what it
 * missed: exactly the messages after `afterSeq`, in order. A client that
 * dropped mid-reply rejoins with its last seq and gets the completed reply.
 */
export const handler = wsRoute(JoinSession, async ({ frame, connectionId }) => {
  await Connection.join(connectionId, frame.sessionId);
  const session = await Conversation.get(frame.sessionId);
  const history: Conversation.Message[] = [];
  let bytes = 0;
  let hasMore = false;
  let cursor: string | undefined;
  do {
    const page = await Conversation.history(cursor ? { sessionId: frame.sessionId, cursor } : { sessionId: frame.sessionId, afterSeq: frame.afterSeq ?? 0, limit: 100 });
    for (const message of page.messages) {
      bytes += Buffer.byteLength(JSON.stringify(message));
      if (bytes > MAX_HISTORY_BYTES && history.length > 0) {
        hasMore = true;
        break;
      }
      history.push(message);
    }
    cursor = hasMore ? undefined : page.nextCursor;
  } while (cursor);
  await postToConnection(connectionId, { type: "session_joined", session, history, hasMore });
});
