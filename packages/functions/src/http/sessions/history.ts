import * as z from "@coach/core/zod";
import * as Conversation from "@coach/core/conversation";
import { httpRoute } from "../shared/route";
import { queryInt, SessionPath } from "./params";
import { NextCursor } from "../shared/next-cursor";

const Query = z.object({ limit: z.optional(queryInt), cursor: z.optional(z.string()), afterSeq: z.optional(queryInt) });

const Page = z.object({ messages: z.array(Conversation.Message), nextCursor: NextCursor });

export const handler = httpRoute("GET /api/sessions/{id}/messages", { path: SessionPath, query: Query, summary: "A session's messages, in order", response: { schema: Page } }, async ({ path, query }) => {
  const page = await Conversation.history({ sessionId: path.id, ...query });
  return { body: { messages: page.messages, nextCursor: page.nextCursor ?? null } };
});
