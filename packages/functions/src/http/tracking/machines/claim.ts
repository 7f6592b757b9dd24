import * as z from "@coach/core/zod";
import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { MachinePath } from "../params";

const Body = z.object({ sessionId: Tracking.RunId });

/** 201 when the slot is newly claimed, 200 when the session already held it, 409 when the machine is full or not online. */
export const handler = httpRoute(
  "POST /api/tracking/machines/{id}/slots",
  {
    path: MachinePath,
    body: Body,
    summary: "Claim one of the machine's slots for a session (409 when the machine is full or not online)",
    response: { status: 201, schema: Tracking.MachineInfo },
  },
  async ({ path, body }) => {
    const { machine, claimed } = await Tracking.claimSlot({ machineId: path.id, sessionId: body.sessionId });
    return { status: claimed ? 201 : 200, body: machine };
  },
);
