import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";

export const handler = httpRoute(
  {
    auth: "apiKey",
    body: Tracking.CreateSessionInput,
    summary: "Register an orchestration session (active by default; heartbeat starts now)",
    response: { status: 201, schema: Tracking.SessionInfo },
  },
  async ({ body }) => ({ status: 201, body: await Tracking.createSession(body) }),
);
