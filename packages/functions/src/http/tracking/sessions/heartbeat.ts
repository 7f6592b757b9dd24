import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { SessionPath } from "../params";

export const handler = httpRoute(
  {
    auth: "apiKey",
    path: SessionPath,
    summary: "Record a session heartbeat (a stale session becomes active again; 409 once it is completed or failed)",
    response: { schema: Tracking.SessionInfo },
  },
  async ({ path }) => ({ body: await Tracking.heartbeat(path.id) }),
);
