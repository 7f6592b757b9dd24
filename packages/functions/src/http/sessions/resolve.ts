import * as z from "@coach/core/zod";
import * as Conversation from "@coach/core/conversation";
import { httpRoute } from "../shared/route";
import { SessionPath } from "./params";

const Body = z.pick(Conversation.ResolveInput, { notes: true });

export const handler = httpRoute("POST /api/sessions/{id}/resolve", { path: SessionPath, body: Body, summary: "Resolve (and end) a session", response: { schema: Conversation.Info } }, async ({ path, body }) => ({
  body: await Conversation.resolve({ sessionId: path.id, notes: body.notes }),
}));
