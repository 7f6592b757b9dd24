import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";

export const handler = httpRoute(
  "POST /api/tracking/sessions",
  {
    body: Tracking.CreateRunInput,
    summary: "Register an orchestration session (active by default; heartbeat starts now)",
    response: { status: 201, schema: Tracking.RunInfo },
  },
  async ({ body }) => ({ status: 201, body: await Tracking.createRun(body) }),
);
