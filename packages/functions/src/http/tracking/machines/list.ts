import * as z from "@coach/core/zod";
import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { MachinePage, queryInt } from "../params";

const Query = z.object({ status: z.optional(Tracking.MachineStatus), limit: z.optional(queryInt), cursor: z.optional(z.string()) });

export const handler = httpRoute(
  "GET /api/tracking/machines",
  { query: Query, summary: "List machines (by status, then id), all or of one status", response: { schema: MachinePage } },
  async ({ query }) => {
    const page = await Tracking.listMachines(query);
    return { body: { machines: page.items, nextCursor: page.nextCursor ?? null } };
  },
);
