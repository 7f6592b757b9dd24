import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { SessionPath } from "../params";

export const handler = httpRoute(
  { auth: "apiKey", path: SessionPath, summary: "Delete a session and its tasks", response: { status: 204 } },
  async ({ path }) => {
    await Tracking.removeSession(path.id);
    return { status: 204 };
  },
);
