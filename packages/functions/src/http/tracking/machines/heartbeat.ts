import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { MachinePath } from "../params";

export const handler = httpRoute(
  "POST /api/tracking/machines/{id}/heartbeat",
  {
    path: MachinePath,
    summary: "Record a machine heartbeat (an offline machine comes back online)",
    response: { schema: Tracking.MachineInfo },
  },
  async ({ path }) => ({ body: await Tracking.machineHeartbeat(path.id) }),
);
