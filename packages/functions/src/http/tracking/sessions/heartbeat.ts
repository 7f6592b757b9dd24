import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { SessionPath } from "../params";

export const handler = httpRoute(
  "POST /api/tracking/sessions/{id}/heartbeat",
  {
    path: SessionPath,
    summary: "Record a session heartbeat (a stale session becomes active again; 409 once it is completed or failed)",
    response: { schema: Tracking.RunInfo },
  },
  async ({ path }) => ({ body: await Tracking.runHeartbeat(path.id) }),
);
