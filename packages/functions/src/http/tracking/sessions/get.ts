import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { SessionPath } from "../params";

export const handler = httpRoute(
  "GET /api/tracking/sessions/{id}",
  { path: SessionPath, summary: "One orchestration session", response: { schema: Tracking.RunInfo } },
  async ({ path }) => ({ body: await Tracking.getRun(path.id) }),
);
