import * as z from "zod";
import * as Conversation from "@coach/core/conversation";

/** Path and query shapes shared by the session routes. */
export const SessionPath = z.object({ id: Conversation.SessionId });

/** Query-string integers arrive as text; anything that is not a plain integer is a 400. */
export const queryInt = z
  .string()
  .regex(/^\d{1,6}$/, "must be a whole number")
  .transform(Number);
