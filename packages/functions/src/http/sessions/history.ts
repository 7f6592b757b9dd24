import { z } from "zod";
import * as Conversation from "@coach/core/conversation";
import { httpRoute } from "../shared/route";
import { queryInt, SessionPath } from "./params";

const Query = z.object({ limit: queryInt.optional(), cursor: z.string().optional(), afterSeq: queryInt.optional() });

export const handler = httpRoute({ auth: "user", path: SessionPath, query: Query }, async ({ path, query }) => {
  const page = await Conversation.history({ sessionId: path.id, ...query });
  return { body: { messages: page.messages, nextCursor: page.nextCursor ?? null } };
});
