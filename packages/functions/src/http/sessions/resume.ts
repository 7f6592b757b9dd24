import * as z from "@coach/core/zod";
import * as Conversation from "@coach/core/conversation";
import { httpRoute } from "../shared/route";
import { SessionPath } from "./params";
import { NextCursor } from "../shared/next-cursor";

const Resumed = z.object({ session: Conversation.Info, messages: z.array(Conversation.Message), nextCursor: NextCursor });

export const handler = httpRoute("POST /api/sessions/{id}/resume", { path: SessionPath, summary: "Resume an unresolved session", response: { schema: Resumed } }, async ({ path }) => {
  const { session, history } = await Conversation.resume({ sessionId: path.id });
  return { body: { session, messages: history.messages, nextCursor: history.nextCursor ?? null } };
});
