import { assertUserId } from "../actor";
import * as Conversation from "../conversation";
import type { TokenUsage } from "../conversation/message";
import { VisibleError } from "../error";

/**
 * `thread_id`: one of the caller's conversation sessions that a completion is
 * appended to. Only a user owns sessions; someone else's id, like a missing
 * one, is not found.
 */
export async function assertThread(threadId: string, userText: string): Promise<void> {
  if (userText.length > Conversation.MAX_CONTENT_LENGTH) {
    throw new VisibleError("invalid", "thread.message_too_long", `A message appended to a thread holds at most ${Conversation.MAX_CONTENT_LENGTH} characters`, {
      param: "messages",
    });
  }
  try {
    assertUserId();
    const session = await Conversation.get(threadId);
    if (session.status !== "active") throw new VisibleError("conflict", "thread.not_active", "The thread's session has ended; resume it first", { param: "thread_id" });
  } catch (error) {
    if (error instanceof VisibleError && (error.kind === "not_found" || error.kind === "unauthorized")) {
      throw new VisibleError("not_found", "thread_not_found", `No thread ${threadId}`, { param: "thread_id" });
    }
    throw error;
  }
}

/**
 * Appends the exchange: the last user message, then the reply with its usage.
 * A reply longer than a message may be is stored cut and marked incomplete,
 * never silently passed off as the whole reply.
 */
export async function appendToThread(threadId: string, userText: string, reply: string, usage: TokenUsage): Promise<void> {
  const max = Conversation.MAX_CONTENT_LENGTH;
  await Conversation.appendMessage({ sessionId: threadId, role: "user", content: userText.slice(0, max) });
  const complete = reply.length > 0 && reply.length <= max;
  await Conversation.appendMessage({
    sessionId: threadId,
    role: "assistant",
    content: reply.length > 0 ? reply.slice(0, max) : "(empty reply)",
    status: complete ? "complete" : "incomplete",
    usage,
  });
}
