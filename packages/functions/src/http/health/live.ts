import * as z from "@coach/core/zod";
import { httpRoute } from "../shared/route";

/** Liveness: the function runs. Touches nothing else. */
export const handler = httpRoute(
  "GET /health",
  { summary: "Liveness: the function runs", response: { schema: z.object({ status: z.literal("ok") }) } },
  async () => ({ body: { status: "ok" } }),
);
