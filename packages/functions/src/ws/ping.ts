import { Ping } from "@coach/core/realtime";
import { postToConnection } from "../shared/connections";
import { wsRoute } from "./shared/route";

/** Keeps the connection clear of API Gateway's 10-minute idle timeout and shows it is alive. */
export const handler = wsRoute(Ping, async ({ connectionId }) => {
  await postToConnection(connectionId, { type: "pong", at: new Date().toISOString() });
});
