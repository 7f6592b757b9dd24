import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { TaskPath } from "../params";

export const handler = httpRoute(
  "GET /api/tracking/tasks/{id}",
  { path: TaskPath, summary: "One task", response: { schema: Tracking.TaskInfo } },
  async ({ path }) => ({ body: await Tracking.getTask(path.id) }),
);
