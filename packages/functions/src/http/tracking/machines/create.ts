import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";

export const handler = httpRoute(
  "POST /api/tracking/machines",
  {
    body: Tracking.CreateMachineInput,
    summary: "Register a machine with its slot capacity (online by default)",
    response: { status: 201, schema: Tracking.MachineInfo },
  },
  async ({ body }) => ({ status: 201, body: await Tracking.createMachine(body) }),
);
