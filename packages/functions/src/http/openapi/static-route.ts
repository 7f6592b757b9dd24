import middy from "@middy/core";
import httpCors from "@middy/http-cors";
import httpSecurityHeaders from "@middy/http-security-headers";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import type { HttpRouteKey } from "../../manifest";
import { httpConfig } from "../shared/config";
import type { JsonSchema } from "./document-types";

/**
 * What the OpenAPI generator reads from a route built here. Its response is
 * documented by a JSON Schema, not a zod schema: the point of these routes is
 * to carry neither zod nor core.
 */
export interface StaticSpec {
  summary: string;
  response: { contentType?: string; jsonSchema: JsonSchema };
}

/**
 * A public route that answers the same bytes to every request, with the
 * headers every `httpRoute` sends (security headers, CORS, `x-trace-id`,
 * `cache-control: no-store`) and nothing else: no auth, no body, no logger.
 */
export function staticRoute(routeKey: HttpRouteKey, spec: StaticSpec, respond: () => { contentType: string; body: string }) {
  const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    // Reporting-Endpoints would go out empty: no reporting endpoint is configured.
    .use(httpSecurityHeaders({ reportingEndpoints: false } as Parameters<typeof httpSecurityHeaders>[0]))
    .use(httpCors({ origins: httpConfig.corsOrigins, exposeHeaders: "x-trace-id,x-coach-ignored-params" }))
    .handler(async (event, context) => {
      const { contentType, body } = respond();
      const traceId = event.requestContext?.requestId ?? context.awsRequestId;
      return { statusCode: 200, headers: { "cache-control": "no-store", "content-type": contentType, "x-trace-id": traceId }, body };
    });
  return Object.assign(handler, { routeKey, spec });
}
