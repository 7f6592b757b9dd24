import * as Conversation from "@coach/core/conversation";
import { httpRoute } from "../shared/route";
import { SessionPath } from "./params";

export const handler = httpRoute({ auth: "user", path: SessionPath }, async ({ path }) => {
  const { session, history } = await Conversation.resume({ sessionId: path.id });
  return { body: { session, messages: history.messages, nextCursor: history.nextCursor ?? null } };
});
