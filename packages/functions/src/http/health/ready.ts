import { checkTable } from "@coach/core/table";
import { httpRoute } from "../shared/route";

/** Readiness: the table answers. 503 (problem+json) when it does not. */
export const handler = httpRoute({ auth: "none" }, async () => {
  await checkTable();
  return { body: { status: "ready", checks: { table: "ok" } } };
});
