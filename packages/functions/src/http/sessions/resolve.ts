import * as Conversation from "@coach/core/conversation";
import { httpRoute } from "../shared/route";
import { SessionPath } from "./params";

const Body = Conversation.ResolveInput.pick({ notes: true });

export const handler = httpRoute({ auth: "user", path: SessionPath, body: Body, summary: "Resolve (and end) a session", response: { schema: Conversation.Info } }, async ({ path, body }) => ({
  body: await Conversation.resolve({ sessionId: path.id, notes: body.notes }),
}));
