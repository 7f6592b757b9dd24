import * as Tracking from "@coach/core/tracking";
import { httpRoute } from "../../shared/route";
import { SessionPath } from "../params";

export const handler = httpRoute(
  { auth: "apiKey", path: SessionPath, summary: "One orchestration session", response: { schema: Tracking.SessionInfo } },
  async ({ path }) => ({ body: await Tracking.getSession(path.id) }),
);
