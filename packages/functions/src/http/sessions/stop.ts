import * as Turn from "@coach/core/turn";
import { httpRoute } from "../shared/route";
import { SessionPath } from "./params";

export const handler = httpRoute(
  "POST /api/sessions/{id}/stop",
  { path: SessionPath, summary: "Stop the reply being written (idempotent: stopping is false when none is)", response: { schema: Turn.StopAnswer } },
  async ({ path }) => ({ body: await Turn.stop(path.id) }),
);
