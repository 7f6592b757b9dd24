import { SendMessage } from "@coach/core/realtime";
import { acceptMessage } from "./shared/accept-message";
import { wsRoute } from "./shared/route";

/** send_message: the turn's accept, the AI reply handed to the turn worker. */
export const handler = wsRoute(SendMessage, async ({ frame, connectionId, requestId }) => {
  await acceptMessage(frame, connectionId, requestId);
});
