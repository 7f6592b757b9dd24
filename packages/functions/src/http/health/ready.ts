import * as z from "@coach/core/zod";
import { checkTable } from "@coach/core/table";
import { httpRoute } from "../shared/route";

const Ready = z.object({ status: z.literal("ready"), checks: z.object({ table: z.literal("ok") }) });

/** Readiness: the table answers. 503 (problem+json) when it does not. */
export const handler = httpRoute("GET /health/ready", { summary: "Readiness: the table answers (503 problem+json when not)", response: { schema: Ready } }, async () => {
  await checkTable();
  return { body: { status: "ready", checks: { table: "ok" } } };
});
