import * as z from "zod";
import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { queryInt, SessionPage } from "../params";

const Query = z.object({ status: Tracking.RunStatus.optional(), limit: queryInt.optional(), cursor: z.string().optional() });

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
