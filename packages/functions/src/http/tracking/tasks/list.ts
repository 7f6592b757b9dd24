import * as z from "zod";
import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { queryInt, TaskPage } from "../params";

const Query = z.object({
  sessionId: Tracking.RunId.optional(),
  status: Tracking.TaskStatus.optional(),
  limit: queryInt.optional(),
  cursor: z.string().optional(),
});

export const handler = httpRoute(
  "GET /api/tracking/tasks",
  { query: Query, summary: "List tasks, filtered by session and/or status", response: { schema: TaskPage } },
  async ({ query }) => {
    const page = await Tracking.listTasks(query);
    return { body: { tasks: page.items, nextCursor: page.nextCursor ?? null } };
  },
);
