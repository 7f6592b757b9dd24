import * as Conversation from "@coach/core/conversation";
import { httpRoute } from "../shared/route";
import { SessionPath } from "./params";

export const handler = httpRoute("DELETE /api/sessions/{id}", { path: SessionPath, summary: "Delete a session and everything in it", response: { status: 204 } }, async ({ path }) => {
  await Conversation.remove(path.id);
  return { status: 204 };
});
