import * as Conversation from "@coach/core/conversation";
import { httpRoute } from "../shared/route";
import { SessionPath } from "./params";

export const handler = httpRoute("POST /api/sessions/{id}/end", { path: SessionPath, summary: "End a session without resolving it", response: { schema: Conversation.Info } }, async ({ path }) => ({
  body: await Conversation.end(path.id),
}));
