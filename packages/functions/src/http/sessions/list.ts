import { z } from "zod";
import * as Conversation from "@coach/core/conversation";
import { httpRoute } from "../shared/route";
import { queryInt } from "./params";

const Query = z.object({ type: Conversation.ListType.optional(), limit: queryInt.optional(), cursor: z.string().optional() });

export const handler = httpRoute({ auth: "user", query: Query }, async ({ query }) => {
  const page = await Conversation.list(query);
  return { body: { sessions: page.items, nextCursor: page.nextCursor ?? null } };
});
