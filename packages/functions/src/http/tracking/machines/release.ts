import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { SlotPath } from "../params";

export const handler = httpRoute(
  "DELETE /api/tracking/machines/{id}/slots/{sessionId}",
  {
    path: SlotPath,
    summary: "Release the session's slot on the machine (404 when it holds none there)",
    response: { schema: Tracking.MachineInfo },
  },
  async ({ path }) => ({ body: await Tracking.releaseSlot({ machineId: path.id, sessionId: path.sessionId }) }),
);
