import * as z from "@coach/core/zod";
import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { queryInt, SessionPage } from "../params";

const Query = z.object({ status: z.optional(Tracking.RunStatus), limit: z.optional(queryInt), cursor: z.optional(z.string()) });

export const handler = httpRoute(
  "GET /api/tracking/sessions",
  {
    query: Query,
    summary: "List sessions, all or of one status; status=stale also finds live sessions silent past the stale window",
    response: { schema: SessionPage },
  },
  async ({ query }) => {
    const page = await Tracking.listRuns(query);
    return { body: { sessions: page.items, nextCursor: page.nextCursor ?? null } };
  },
);
