import { Readable } from "node:stream";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import httpCors from "@middy/http-cors";
import httpSecurityHeaders from "@middy/http-security-headers";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import type * as z from "@coach/core/zod";
import { withActor, type Actor } from "@coach/core/actor";
import { VisibleError } from "@coach/core/error";
import { invalidInput } from "@coach/core/util";
import { httpRouteOf, type HttpRouteAuth, type HttpRouteKey } from "../../manifest";
import { authenticate, type AuthMode } from "./authenticate";
import { httpConfig } from "./config";
import { logger } from "../../shared/logger";
import { openAiErrorResponse } from "./openai-error";
import { problemFor, problemResponse } from "./problem";
import { jsonBody } from "./request";

type UserActor = Extract<Actor, { type: "user" }>;
type ApiKeyActor = Extract<Actor, { type: "apiKey" }>;
type SystemActor = Extract<Actor, { type: "system" }>;

/** Who is calling, by the route's auth mode in the manifest. */
interface Callers {
  none: { actor: SystemActor };
  user: { actor: UserActor; userId: string };
  apiKey: { actor: ApiKeyActor };
  userOrApiKey: { actor: UserActor | ApiKeyActor };
}
export type CallerOf<Auth extends AuthMode> = Callers[Auth];

export type RouteInput<Key extends HttpRouteKey, Path, Query, Body> = {
  path: Path;
  query: Query;
  body: Body;
  event: APIGatewayProxyEvent;
} & CallerOf<HttpRouteAuth<Key>>;

/** What a handler says about its route besides what the manifest says (method, path, auth, table rights, streaming). */
export interface RouteSpec<PathSchema extends z.ZodMiniType, QuerySchema extends z.ZodMiniType, BodySchema extends z.ZodMiniType> {
  path?: PathSchema;
  query?: QuerySchema;
  body?: BodySchema;
  /** For the OpenAPI document: one line on what the route does. */
  summary?: string;
  /** For the OpenAPI document: the success status (default 200) and body (none for 204). */
  response?: { status?: number; schema?: z.ZodMiniType; contentType?: string };
  /** Largest JSON body accepted, in bytes (default 64 KB). */
  maxBodyBytes?: number;
  /** The error body: RFC 7807 problem+json (default), or OpenAI's error shape for the /v1 routes. */
  errors?: "problem" | "openai";
}

export type RouteResult = {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  raw?: string;
  /**
   * A binary body (a PDF), sent base64-encoded with `isBase64Encoded`. API
   * Gateway turns it back into bytes for a media type in the REST API's
   * `binaryMediaTypes` (the manifest's) that the request's first `Accept`
   * names; the local runtime does the same.
   */
  binary?: Uint8Array;
  /**
   * Streaming routes only (`stream: true` in the manifest): the body, sent
   * chunk by chunk as it is produced (API Gateway's STREAM transfer mode on
   * AWS; the local runtime does the same).
   */
  stream?: AsyncIterable<string>;
};

/**
 * The one way to write a REST handler: it names its manifest route, whose
 * entry gives the auth mode; then parse path, query and body with zod,
 * authenticate, run the core call as the caller, shape the response. Every
 * error becomes problem+json in one place; CORS and security headers are on
 * every response, errors included.
 */
export function httpRoute<
  Key extends HttpRouteKey,
  PathSchema extends z.ZodMiniType = z.ZodMiniType<Record<string, never>>,
  QuerySchema extends z.ZodMiniType = z.ZodMiniType<Record<string, never>>,
  BodySchema extends z.ZodMiniType = z.ZodMiniType<Record<string, never>>,
>(
  key: Key,
  spec: RouteSpec<PathSchema, QuerySchema, BodySchema>,
  run: (input: RouteInput<Key, z.output<PathSchema>, z.output<QuerySchema>, z.output<BodySchema>>) => Promise<RouteResult>,
) {
  const route = httpRouteOf(key);
  const parse = <S extends z.ZodMiniType>(schema: S | undefined, value: unknown, code: string): z.output<S> => {
    if (!schema) return {} as z.output<S>;
    const result = schema.safeParse(value);
    if (!result.success) throw invalidInput(result.error, code);
    return result.data;
  };
  const callerOf = async (event: APIGatewayProxyEvent): Promise<Callers[AuthMode]> => {
    if (route.auth === "none") return { actor: { type: "system" } };
    const actor = await authenticate(event, route.auth);
    if (actor.type === "system") throw new Error("authenticate answered no caller");
    return actor.type === "user" ? { actor, userId: actor.userId } : { actor };
  };

  const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    // A path parameter that does not parse names nothing that exists.
    const path = spec.path?.safeParse(event.pathParameters ?? {});
    if (path && !path.success) throw new VisibleError("not_found", "route.not_found", "Not found");
    // `authenticate` answers only the callers the route's auth mode allows: the ones CallerOf names.
    const caller = (await callerOf(event)) as CallerOf<HttpRouteAuth<Key>>;
    const input = {
      path: (path?.data ?? {}) as z.output<PathSchema>,
      query: parse(spec.query, event.queryStringParameters ?? {}, "request.invalid_query"),
      body: parse(spec.body, spec.body ? jsonBody(event, spec.maxBodyBytes) : {}, "request.invalid_body"),
      event,
      ...caller,
    };
    const actor: Actor = caller.actor;
    if (actor.type === "user") logger.appendKeys({ userId: actor.userId });
    if (actor.type === "apiKey") logger.appendKeys({ apiKeyId: actor.keyId });
    return toResponse(await withActor(actor, () => run(input)));
  };

  const chain = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>({ streamifyResponse: route.stream === true })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    // Reporting-Endpoints would go out empty: no reporting endpoint is configured.
    .use(httpSecurityHeaders({ reportingEndpoints: false } as Parameters<typeof httpSecurityHeaders>[0]))
    // content-disposition: a browser app reads a download's file name (documents, exports) only if it is exposed.
    .use(httpCors({ origins: httpConfig.corsOrigins, exposeHeaders: "x-trace-id,x-coach-ignored-params,content-disposition" }))
    .use(traceHeader())
    .use(spec.errors === "openai" ? openAiErrors() : problemDetails())
    .handler(handler);
  // The route and spec ride along for the OpenAPI generator (`pnpm openapi`), which documents the same schemas.
  return Object.assign(chain, { routeKey: key, spec });
}

function toResponse(result: RouteResult): APIGatewayProxyResult {
  if (result.stream !== undefined) {
    // middy pipes a Readable body into the Lambda response stream.
    return { statusCode: result.status ?? 200, headers: result.headers ?? {}, body: Readable.from(result.stream) as unknown as string };
  }
  if (result.raw !== undefined) return { statusCode: result.status ?? 200, headers: result.headers ?? {}, body: result.raw };
  if (result.binary !== undefined) {
    const bytes = Buffer.from(result.binary.buffer, result.binary.byteOffset, result.binary.byteLength);
    return { statusCode: result.status ?? 200, headers: result.headers ?? {}, body: bytes.toString("base64"), isBase64Encoded: true };
  }
  if (result.body === undefined) return { statusCode: result.status ?? 204, headers: result.headers ?? {}, body: "" };
  return {
    statusCode: result.status ?? 200,
    headers: { "content-type": "application/json", ...result.headers },
    body: JSON.stringify(result.body),
  };
}

/** The API Gateway request id names the request to the client and in every log line. */
const traceIdOf = (event: APIGatewayProxyEvent, context: Context) => event.requestContext?.requestId ?? context.awsRequestId;

/** Every response names its request and, holding per-user data, is never cached by intermediaries. */
function traceHeader(): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  const stamp = (request: middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>) => {
    if (request.response) {
      request.response.headers = {
        "cache-control": "no-store",
        ...request.response.headers,
        "x-trace-id": traceIdOf(request.event, request.context),
      };
    }
  };
  return {
    before: (request) => {
      logger.appendKeys({ traceId: traceIdOf(request.event, request.context), route: `${request.event.httpMethod} ${request.event.resource}` });
    },
    after: stamp,
    onError: stamp,
  };
}

function openAiErrors(): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  return {
    onError: (request) => {
      const traceId = traceIdOf(request.event, request.context);
      const response = openAiErrorResponse(request.error, traceId);
      if (response.statusCode >= 500) logger.error("request failed", { error: request.error ?? undefined });
      else logger.info("request rejected", { status: response.statusCode });
      request.response = response;
    },
  };
}

function problemDetails(): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  return {
    onError: (request) => {
      const problem = problemFor(request.error, {
        traceId: traceIdOf(request.event, request.context),
        instance: request.event.path,
      });
      if (problem.status >= 500) logger.error("request failed", { error: request.error ?? undefined, code: problem.code });
      else logger.info("request rejected", { code: problem.code, status: problem.status });
      const headers: Record<string, string> = problem.status === 401 ? { "www-authenticate": 'Bearer realm="coach"' } : {};
      request.response = problemResponse(problem, headers);
    },
  };
}
