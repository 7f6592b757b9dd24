import * as Conversation from "@coach/core/conversation";
import { httpRoute } from "../shared/route";
import { SessionPath } from "./params";

export const handler = httpRoute("GET /api/sessions/{id}", { path: SessionPath, summary: "Get one session", response: { schema: Conversation.Info } }, async ({ path }) => ({
  body: await Conversation.get(path.id),
}));
