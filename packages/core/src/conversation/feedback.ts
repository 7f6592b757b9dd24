import { feedbackItem } from "./partition";
import * as z from "../zod";

export const Rating = z.enum(["up", "down"]);

export const Feedback = z.object({
  sessionId: z.string(),
  messageId: z.string(),
  userId: z.string(),
  rating: Rating,
  comment: z.optional(z.string()),
  createdAt: z.string(),
});
export type Feedback = z.infer<typeof Feedback>;

export function toItem(feedback: Feedback, seq: number) {
  return { ...feedbackItem.key(feedback.sessionId, seq), type: "feedback", ...feedback };
}

export function fromItem(item: Record<string, unknown>): Feedback {
  return Feedback.parse(item);
}
