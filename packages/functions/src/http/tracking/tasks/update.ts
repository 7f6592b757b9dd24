import * as z from "@coach/core/zod";
import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { TaskPath } from "../params";

const Body = z.omit(Tracking.UpdateTaskInput, { id: true });

export const handler = httpRoute(
  "PATCH /api/tracking/tasks/{id}",
  {
    path: TaskPath,
    body: Body,
    summary: "Change a task's status, progress, error, title or metadata (409 for a transition the rules forbid)",
    response: { schema: Tracking.TaskInfo },
  },
  async ({ path, body }) => ({ body: await Tracking.updateTask({ id: path.id, ...body }) }),
);
