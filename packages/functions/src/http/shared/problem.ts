import type { APIGatewayProxyResult } from "aws-lambda";
import { VisibleError, visibleFor, type ErrorKind } from "@coach/core/error";

const statusOf: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  upstream: 502,
};

const titles: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  traceId: string;
  [extension: string]: unknown;
}

/**
 * RFC 7807 problem details. A VisibleError shows its code and message; any
 * other error is unexpected and shows nothing of itself, only the trace id
 * that finds it in the logs.
 */
export function problemFor(thrown: unknown, context: { traceId: string; instance?: string }): Problem {
  const error = visibleFor(thrown);
  if (error instanceof VisibleError) {
    const status = statusOf[error.kind];
    return {
      type: `urn:coach:problem:${error.code}`,
      title: titles[status] ?? "Error",
      status,
      detail: error.message,
      code: error.code,
      ...error.details,
      instance: context.instance,
      traceId: context.traceId,
    };
  }
  return {
    type: "urn:coach:problem:internal",
    title: titles[500]!,
    status: 500,
    detail: "Something went wrong on our side. Quote the trace id when you report it.",
    code: "internal",
    instance: context.instance,
    traceId: context.traceId,
  };
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode: problem.status,
    headers: { "content-type": "application/problem+json", ...headers },
    body: JSON.stringify(problem),
  };
}
