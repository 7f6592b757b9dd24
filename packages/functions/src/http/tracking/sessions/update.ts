import * as z from "@coach/core/zod";
import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { SessionPath } from "../params";

const Body = z.omit(Tracking.UpdateRunInput, { id: true });

export const handler = httpRoute(
  "PATCH /api/tracking/sessions/{id}",
  {
    path: SessionPath,
    body: Body,
    summary: "Change a session's status, project, machine or metadata (409 for a transition the rules forbid)",
    response: { schema: Tracking.RunInfo },
  },
  async ({ path, body }) => ({ body: await Tracking.updateRun({ id: path.id, ...body }) }),
);
