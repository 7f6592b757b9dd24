import * as z from "@coach/core/zod";
import * as Conversation from "@coach/core/conversation";
import { httpRoute } from "../shared/route";
import { SessionPath } from "./params";

const Path = z.extend(SessionPath, { messageId: z.string().check(z.maxLength(128)) });
const Body = z.pick(Conversation.FeedbackInput, { rating: true, comment: true });

export const handler = httpRoute("POST /api/sessions/{id}/messages/{messageId}/feedback", { path: Path, body: Body, summary: "Rate an assistant message", response: { status: 201, schema: Conversation.Feedback } }, async ({ path, body }) => ({
  status: 201,
  body: await Conversation.giveFeedback({ sessionId: path.id, messageId: path.messageId, ...body }),
}));
