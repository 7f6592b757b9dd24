import * as z from "@coach/core/zod";
import * as Usage from "@coach/core/usage";
import { httpRoute } from "../shared/route";

const UsageReport = z.object({
  from: z.string(),
  to: z.string(),
  days: z.array(z.object({ date: z.string(), model: z.string(), requests: z.number(), inputTokens: z.number(), outputTokens: z.number() })),
  totals: z.object({ requests: z.number(), inputTokens: z.number(), outputTokens: z.number() }),
});

/** The caller's completion usage per day and model, between two days inclusive. */
export const handler = httpRoute(
  "GET /api/usage",
  { query: Usage.UsageQuery, summary: "Completion usage of the caller per day and model", response: { schema: UsageReport } },
  async ({ query, actor }) => ({ body: await Usage.usageReport(Usage.callerOf(actor), query) }),
);
