import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";

export const handler = httpRoute(
  "POST /api/tracking/tasks",
  {
    body: Tracking.CreateTaskInput,
    summary: "Add a task to a session (pending by default)",
    response: { status: 201, schema: Tracking.TaskInfo },
  },
  async ({ body }) => ({ status: 201, body: await Tracking.createTask(body) }),
);
