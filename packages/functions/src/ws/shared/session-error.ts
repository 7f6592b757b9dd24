import { VisibleError, visibleFor } from "@coach/core/error";
import type { ServerEventOf, SessionErrorCode } from "@coach/core/realtime";

type SessionError = ServerEventOf<"session_error">;

const byCode: Record<string, { code: SessionErrorCode; retryable: boolean }> = {
  "frame.unknown_action": { code: "unknown_action", retryable: false },
  "turn.in_progress": { code: "turn_in_progress", retryable: true },
  "session.busy": { code: "turn_in_progress", retryable: true },
  "session.not_active": { code: "session_not_active", retryable: false },
  "rate.limited": { code: "rate_limited", retryable: true },
  "service.busy": { code: "rate_limited", retryable: true },
};

const byKind: Record<VisibleError["kind"], { code: SessionErrorCode; retryable: boolean }> = {
  invalid: { code: "invalid_frame", retryable: false },
  too_large: { code: "invalid_frame", retryable: false },
  unsupported_media_type: { code: "invalid_frame", retryable: false },
  unauthorized: { code: "unauthorized", retryable: false },
  not_found: { code: "not_found", retryable: false },
  conflict: { code: "turn_in_progress", retryable: true },
  rate_limited: { code: "rate_limited", retryable: true },
  unavailable: { code: "internal", retryable: true },
  upstream: { code: "provider_error", retryable: false },
};

/** The typed `session_error` for any error; unexpected ones say nothing of themselves. */
export function sessionErrorFor(thrown: unknown, context: { requestId: string; sessionId?: string; clientMessageId?: string }): SessionError {
  const error = visibleFor(thrown);
  const base = { type: "session_error" as const, requestId: context.requestId, sessionId: context.sessionId, clientMessageId: context.clientMessageId };
  if (error instanceof VisibleError) {
    const mapped = byCode[error.code] ?? byKind[error.kind];
    const retryAfter = typeof error.details?.retryAfter === "number" ? error.details.retryAfter : undefined;
    return { ...base, ...mapped, message: error.message, retryAfter };
  }
  return { ...base, code: "internal", retryable: true, message: "Something went wrong on our side. Quote the requestId when you report it." };
}
