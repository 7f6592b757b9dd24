import * as z from "@coach/core/zod";
import * as Conversation from "@coach/core/conversation";
import { httpRoute } from "../shared/route";
import { queryInt } from "./params";
import { NextCursor } from "../shared/next-cursor";

const Query = z.object({ type: z.optional(Conversation.ListType), limit: z.optional(queryInt), cursor: z.optional(z.string()) });

const Page = z.object({ sessions: z.array(Conversation.Info), nextCursor: NextCursor });

export const handler = httpRoute("GET /api/sessions", { query: Query, summary: "The caller's sessions, newest activity first", response: { schema: Page } }, async ({ query }) => {
  const page = await Conversation.list(query);
  return { body: { sessions: page.items, nextCursor: page.nextCursor ?? null } };
});
