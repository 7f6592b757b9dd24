import * as z from "../zod";
import { SessionId } from "../conversation/session";
import { loadOwnedSession } from "../conversation/store";
import { requestStop } from "./lock";

/**
 * Stops the reply being written in the caller's session, on every
 * transport: the request is written on the turn's lock, which the turn
 * reads while it runs (whichever function runs it), and the turn ends as
 * written so far. Idempotent: `stopping` is false, and nothing changes, when
 * no reply is being written. Someone else's session is not found.
 */
export const StopAnswer = z.object({
  sessionId: SessionId,
  /** Whether a reply was being written: it ends, as written so far, with message_complete (stopped) on the WebSocket. */
  stopping: z.boolean(),
});
export type StopAnswer = z.infer<typeof StopAnswer>;

export async function stop(sessionId: string): Promise<StopAnswer> {
  await loadOwnedSession(sessionId);
  return { sessionId, stopping: await requestStop(sessionId) };
}
