import * as z from "@coach/core/zod";
import * as Conversation from "@coach/core/conversation";

/** Path and query shapes shared by the session routes. */
export const SessionPath = z.object({ id: Conversation.SessionId });

export { queryInt } from "../shared/query-int";
