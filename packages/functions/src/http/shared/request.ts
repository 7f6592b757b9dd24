import type { APIGatewayProxyEvent } from "aws-lambda";
import { VisibleError } from "@coach/core/error";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "@coach/core/util";
import { httpConfig } from "./config";

/** Header lookup that ignores case, as HTTP does (API Gateway passes names as sent). */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/** The JSON body, size-checked, parsed and depth-checked; `{}` when the request has none. */
export function jsonBody(event: APIGatewayProxyEvent, maxBytes = httpConfig.maxBodyBytes): unknown {
  if (event.body === null || event.body === undefined || event.body === "") return {};
  const raw = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  if (Buffer.byteLength(raw) > maxBytes) {
    throw new VisibleError("too_large", "request.too_large", `The body exceeds ${maxBytes} bytes`);
  }
  const contentType = header(event, "content-type")?.split(";")[0]?.trim().toLowerCase();
  if (contentType && contentType !== "application/json" && !contentType.endsWith("+json")) {
    throw new VisibleError("unsupported_media_type", "request.unsupported_media_type", "Send the body as application/json");
  }
  let body: unknown;
  try {
    body = JSON.parse(raw) as unknown;
  } catch {
    throw new VisibleError("invalid", "request.malformed_json", "The body is not valid JSON");
  }
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    throw new VisibleError("invalid", "request.too_deep", `The body may nest objects and arrays at most ${MAX_JSON_DEPTH} levels deep`);
  }
  return body;
}
