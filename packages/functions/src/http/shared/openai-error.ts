import type { APIGatewayProxyResult } from "aws-lambda";
import { VisibleError, visibleFor, type ErrorKind } from "@coach/core/error";

/**
 * Errors in the shape OpenAI's API (and so every OpenAI client) uses:
 * `{"error": {"message", "type", "param", "code"}}`, with the same statuses.
 * Unexpected errors say nothing of themselves.
 */
export interface OpenAiError {
  error: { message: string; type: string; param: string | null; code: string | null };
}

const byKind: Record<ErrorKind, { status: number; type: string }> = {
  invalid: { status: 400, type: "invalid_request_error" },
  too_large: { status: 413, type: "invalid_request_error" },
  unsupported_media_type: { status: 415, type: "invalid_request_error" },
  unauthorized: { status: 401, type: "invalid_request_error" },
  not_found: { status: 404, type: "invalid_request_error" },
  conflict: { status: 409, type: "invalid_request_error" },
  rate_limited: { status: 429, type: "rate_limit_error" },
  unavailable: { status: 503, type: "server_error" },
  upstream: { status: 502, type: "server_error" },
};

export function openAiErrorFor(thrown: unknown, traceId: string): { status: number; body: OpenAiError } {
  const error = visibleFor(thrown);
  if (!(error instanceof VisibleError)) {
    return {
      status: 500,
      body: { error: { message: `The server had an error while processing your request. Quote request id ${traceId}.`, type: "server_error", param: null, code: null } },
    };
  }
  const { status, type } = byKind[error.kind];
  return { status, body: { error: { message: error.message, type, param: paramOf(error), code: codeOf(error) } } };
}

export function openAiErrorResponse(error: unknown, traceId: string): APIGatewayProxyResult {
  const { status, body } = openAiErrorFor(error, traceId);
  return { statusCode: status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

/** OpenAI's `param` names the offending field: the first zod issue's path, or what the error says. */
function paramOf(error: VisibleError): string | null {
  if (typeof error.details?.param === "string") return error.details.param;
  const issues = error.details?.issues;
  if (Array.isArray(issues)) {
    const path = (issues[0] as { path?: unknown } | undefined)?.path;
    if (typeof path === "string" && path) return path;
  }
  return null;
}

/** OpenAI's codes where one exists (`invalid_api_key`, `model_not_found`, …), else ours. */
function codeOf(error: VisibleError): string {
  if (error.kind === "unauthorized") return "invalid_api_key";
  if (error.kind === "rate_limited") return "rate_limit_exceeded";
  return error.code.replace(/\./g, "_");
}
