import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { TaskPath } from "../params";

export const handler = httpRoute(
  "DELETE /api/tracking/tasks/{id}",
  { path: TaskPath, summary: "Delete a task", response: { status: 204 } },
  async ({ path }) => {
    await Tracking.removeTask(path.id);
    return { status: 204 };
  },
);
