import * as z from "@coach/core/zod";
import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { queryInt, TaskPage } from "../params";

const Query = z.object({
  sessionId: z.optional(Tracking.RunId),
  status: z.optional(Tracking.TaskStatus),
  limit: z.optional(queryInt),
  cursor: z.optional(z.string()),
});

export const handler = httpRoute(
  "GET /api/tracking/tasks",
  { query: Query, summary: "List tasks, filtered by session and/or status", response: { schema: TaskPage } },
  async ({ query }) => {
    const page = await Tracking.listTasks(query);
    return { body: { tasks: page.items, nextCursor: page.nextCursor ?? null } };
  },
);
