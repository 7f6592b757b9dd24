import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../shared/route";

export const handler = httpRoute(
  "GET /api/tracking/health",
  {
    summary: "Tracking health: counts by status, stale sessions, stuck tasks",
    response: { schema: Tracking.HealthSummary },
  },
  async () => ({ body: await Tracking.health() }),
);
