import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { MachinePath } from "../params";

export const handler = httpRoute(
  "DELETE /api/tracking/machines/{id}",
  { path: MachinePath, summary: "Delete a machine", response: { status: 204 } },
  async ({ path }) => {
    await Tracking.removeMachine(path.id);
    return { status: 204 };
  },
);
