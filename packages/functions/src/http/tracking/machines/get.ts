import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { MachinePath } from "../params";

export const handler = httpRoute(
  "GET /api/tracking/machines/{id}",
  { path: MachinePath, summary: "One machine with its slots", response: { schema: Tracking.MachineInfo } },
  async ({ path }) => ({ body: await Tracking.getMachine(path.id) }),
);
