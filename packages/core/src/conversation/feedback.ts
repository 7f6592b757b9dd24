import { z } from "zod";

export const Rating = z.enum(["up", "down"]);

export const Feedback = z.object({
  sessionId: z.string(),
  messageId: z.string(),
  userId: z.string(),
  rating: Rating,
  comment: z.string().optional(),
  createdAt: z.string(),
});
export type Feedback = z.infer<typeof Feedback>;

/** One feedback item per assistant message, beside the message in the session's partition. */
export const feedbackKeys = {
  partition: (sessionId: string) => `SESSION#${sessionId}`,
  prefix: "FEEDBACK#",
  sort: (seq: number) => `FEEDBACK#${String(seq).padStart(10, "0")}`,
} as const;

export function toItem(feedback: Feedback, seq: number) {
  return { pk: feedbackKeys.partition(feedback.sessionId), sk: feedbackKeys.sort(seq), type: "feedback", ...feedback };
}

export function fromItem(item: Record<string, unknown>): Feedback {
  return Feedback.parse(item);
}
