import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { SessionPath } from "../params";

const Body = Tracking.UpdateSessionInput.omit({ id: true });

export const handler = httpRoute(
  {
    auth: "apiKey",
    path: SessionPath,
    body: Body,
    summary: "Change a session's status, project, machine or metadata (409 for a transition the rules forbid)",
    response: { schema: Tracking.SessionInfo },
  },
  async ({ path, body }) => ({ body: await Tracking.updateSession({ id: path.id, ...body }) }),
);
