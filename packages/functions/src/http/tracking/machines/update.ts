import * as z from "@coach/core/zod";
import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { MachinePath } from "../params";

const Body = z.omit(Tracking.UpdateMachineInput, { id: true });

export const handler = httpRoute(
  "PATCH /api/tracking/machines/{id}",
  {
    path: MachinePath,
    body: Body,
    summary: "Change a machine's status, hostname, capacity or metadata (409 for a transition the rules forbid)",
    response: { schema: Tracking.MachineInfo },
  },
  async ({ path, body }) => ({ body: await Tracking.updateMachine({ id: path.id, ...body }) }),
);
