import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "@anthropic-ai/sdk";
import { ProviderError } from "./provider";

/** HTTP statuses worth retrying later: timeouts, lock conflicts, rate limits, server errors, 529 overloaded. */
const retryableStatus = (status: number) => status === 408 || status === 409 || status === 429 || status >= 500;

/** `error` SSE event types (sent mid-stream, after a 200) worth retrying later. */
const retryableStreamErrorTypes = new Set(["overloaded_error", "api_error", "rate_limit_error", "timeout_error"]);

/**
 * Maps whatever the SDK (or the stream) threw to a ProviderError whose
 * `retryable` says whether the same request may succeed later. The original
 * error stays as `cause`; the message never carries the API key.
 */
export function toProviderError(error: unknown, apiKey: string): ProviderError {
  if (error instanceof ProviderError) return error;
  const { message, retryable } = classify(error);
  const requestId = error instanceof APIError ? (error.requestID ?? undefined) : undefined;
  // A 400 says the request itself was wrong: built by us, so a bug to fix, not a reason to retry.
  const rejected = error instanceof APIError && (error.status === 400 || (error.status === undefined && error.type === "invalid_request_error"));
  const withId = requestId ? `${message} [request ${requestId}]` : message;
  return new ProviderError(redact(withId, apiKey), retryable, { cause: error, rejected, ...(requestId ? { requestId } : {}) });
}

function classify(error: unknown): { message: string; retryable: boolean } {
  if (error instanceof APIUserAbortError) return { message: "The Claude request was aborted", retryable: false };
  if (error instanceof APIConnectionTimeoutError) return { message: "The Claude API did not answer in time", retryable: true };
  if (error instanceof APIConnectionError) {
    return { message: `Could not reach the Claude API: ${describeCause(error)}`, retryable: true };
  }
  if (error instanceof APIError) {
    const type = error.type ?? "unknown_error";
    const detail = error.apiMessage ?? "no message";
    if (error.status === undefined) {
      // An `error` event inside a 200 stream (e.g. overloaded_error after some text).
      return { message: `The Claude stream failed (${type}): ${detail}`, retryable: retryableStreamErrorTypes.has(type) };
    }
    return { message: `The Claude API answered ${error.status} (${type}): ${detail}`, retryable: retryableStatus(error.status) };
  }
  // Anything else (a socket cut mid-body, an unparsable event): transient until shown otherwise.
  return { message: `The Claude stream failed: ${error instanceof Error ? error.message : String(error)}`, retryable: true };
}

function describeCause(error: Error): string {
  const cause = error.cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}

function redact(text: string, apiKey: string): string {
  return apiKey ? text.split(apiKey).join("[redacted]") : text;
}
