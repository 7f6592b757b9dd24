import * as Conversation from "@coach/core/conversation";
import { httpRoute } from "../shared/route";

export const handler = httpRoute({ auth: "user", body: Conversation.CreateInput, summary: "Create a session", response: { status: 201, schema: Conversation.Info } }, async ({ body }) => ({
  status: 201,
  body: await Conversation.create(body),
}));
