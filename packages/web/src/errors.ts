/** Errors as the person should read them: what happened, not a stack. */
import { ApiError, ConnectionClosedError, SessionError } from "@coach/client";

export function errorText(error: unknown): string {
  if (error instanceof SessionError) {
    switch (error.code) {
      case "rate_limited":
        return `Too many messages — try again in ${Math.max(1, Math.ceil(error.retryAfter ?? 1))} s`;
      case "turn_in_progress":
        return "A reply is still being written";
      default:
        return error.event.message || error.code;
    }
  }
  if (error instanceof ApiError) {
    if (error.status === 429) {
      const retryAfter = typeof error.problem.retryAfter === "number" ? error.problem.retryAfter : 1;
      return `Too many messages — try again in ${Math.max(1, Math.ceil(retryAfter))} s`;
    }
    return error.detail || error.message;
  }
  if (error instanceof ConnectionClosedError) return "Not connected to the coach — reconnect and try again";
  if (error instanceof Error) return error.message;
  return String(error);
}
