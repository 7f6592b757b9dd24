import * as z from "zod";
import * as Conversation from "@coach/core/conversation";
import { httpRoute } from "../shared/route";
import { SessionPath } from "./params";

const Path = SessionPath.extend({ messageId: z.string().max(128) });
const Body = Conversation.FeedbackInput.pick({ rating: true, comment: true });

export const handler = httpRoute("POST /api/sessions/{id}/messages/{messageId}/feedback", { path: Path, body: Body, summary: "Rate an assistant message", response: { status: 201, schema: Conversation.Feedback } }, async ({ path, body }) => ({
  status: 201,
  body: await Conversation.giveFeedback({ sessionId: path.id, messageId: path.messageId, ...body }),
}));
