import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { SessionPath } from "../params";

export const handler = httpRoute(
  "DELETE /api/tracking/sessions/{id}",
  { path: SessionPath, summary: "Delete a session and its tasks", response: { status: 204 } },
  async ({ path }) => {
    await Tracking.removeRun(path.id);
    return { status: 204 };
  },
);
