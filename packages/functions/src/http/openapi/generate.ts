import * as z from "@coach/core/zod";
import { httpRouteKey, httpRoutes, webSocketRoutes, type HttpMethod, type HttpRoute } from "../../manifest";
import type { RouteSpec } from "../shared/route";
import { handlerSpecOf, handlerSpecs } from "./handler-specs";
import type { AuthMode, JsonSchema, MediaType, OpenApiDocument, Operation, Parameter, PathItem, Reference, Response, SecurityScheme } from "./document-types";
import { namedSchemas } from "./schemas";

/**
 * The OpenAPI 3.1 document of the REST API, built from the route manifest and
 * the zod schemas each handler validates its requests with (`httpRoute`'s
 * `.spec`): what is documented is what is enforced. Deterministic: the same
 * code gives byte-identical JSON. Build-time only (`pnpm openapi`): the
 * deployed document is the committed file this writes.
 */
/**
 * What the generator reads from a handler: `httpRoute` attaches its spec as
 * `.spec`. A `staticRoute`, which carries no zod, documents its response by
 * a JSON Schema instead.
 */
export type DocumentedSpec = Omit<RouteSpec<z.ZodMiniType, z.ZodMiniType, z.ZodMiniType>, "response"> & {
  response?: { status?: number; schema?: z.ZodMiniType; jsonSchema?: JsonSchema; contentType?: string };
};

/** Alternatives to a route's main success content type, where a query parameter picks the representation. */
const alternativeContent: Readonly<Record<string, Record<string, MediaType>>> = {
  "GET /api/sessions/{id}/export": {
    "text/markdown": { schema: { type: "string", description: "With `?format=markdown`: a Markdown transcript" } },
    "application/pdf": { schema: { type: "string", contentMediaType: "application/pdf", description: "With `?format=pdf`: the Markdown transcript as a PDF (send `Accept: application/pdf`)" } },
  },
  "GET /api/documents/{id}": {
    "text/markdown": { schema: { type: "string", description: "With `?format=markdown`: the document's Markdown" } },
    "application/pdf": { schema: { type: "string", contentMediaType: "application/pdf", description: "With `?format=pdf`: the document as a PDF (send `Accept: application/pdf`)" } },
  },
};

/** Statuses a route may answer besides the ones derived from its spec (see `errorStatuses`). */
const extraErrors: Readonly<Record<string, readonly number[]>> = {
  "GET /health/ready": [503],
  // Rate-limited, and the AI provider may be unavailable.
  "POST /api/sessions/{id}/messages": [429, 503],
};

const errorResponses: Readonly<Record<number, { name: string; description: string }>> = {
  400: { name: "BadRequest", description: "The query or body is invalid (`request.invalid_query`, `request.invalid_body`, `request.malformed_json`, …)" },
  401: { name: "Unauthorized", description: "Missing, invalid or expired credentials (`WWW-Authenticate: Bearer`)" },
  404: { name: "NotFound", description: "No such resource, or it belongs to someone else" },
  409: { name: "Conflict", description: "The resource is in a state that does not allow this, or changed concurrently; see `code`" },
  413: { name: "PayloadTooLarge", description: "The body exceeds 64 KB" },
  415: { name: "UnsupportedMediaType", description: "The body is not `application/json`" },
  429: { name: "TooManyRequests", description: "Rate limited; `retryAfter` says when to try again, in seconds" },
  500: { name: "InternalServerError", description: "Unexpected error; quote the `traceId` when you report it" },
  503: { name: "ServiceUnavailable", description: "A dependency (table, token keys, AI provider) is unavailable; try again" },
};

/** `httpRoute`'s body limit when the spec sets none. */
const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** An error response: RFC 7807 problem+json, or OpenAI's error shape for the OpenAI-compatible routes. */
function errorResponse(status: number, openAi: boolean): Response {
  return {
    description: errorResponses[status]!.description,
    headers: { "x-trace-id": { $ref: "#/components/headers/TraceId" } },
    content: openAi
      ? { "application/json": { schema: { $ref: "#/components/schemas/OpenAiError" } } }
      : { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
  };
}

const successDescriptions: Readonly<Record<number, string>> = { 200: "OK", 201: "Created", 202: "Accepted", 204: "No Content" };

const tagDescriptions: Readonly<Record<string, string>> = {
  health: "Liveness and readiness probes",
  sessions: "Coaching sessions: lifecycle, messages, feedback, export, OKRs",
  documents: "Generated documents: list, read as JSON, Markdown or PDF, delete",
  templates: "Questionnaire templates: users read them; operators (API keys) put new versions and delete",
  openapi: "This document and its HTML rendering",
};

export const securitySchemes: Readonly<Record<string, SecurityScheme>> = {
  bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "A user's JWT from the configured identity provider (locally: `pnpm --silent token <userId>`)" },
  apiKeyBearer: { type: "http", scheme: "bearer", description: "A machine client's API key sent as `Authorization: Bearer <key>`" },
  apiKeyHeader: { type: "apiKey", in: "header", name: "X-API-Key", description: "A machine client's API key sent as `X-API-Key: <key>`" },
};

/** Alternatives: any one entry satisfies the route. */
export function securityFor(auth: AuthMode): Record<string, string[]>[] {
  const user: Record<string, string[]>[] = [{ bearerAuth: [] }];
  const apiKey: Record<string, string[]>[] = [{ apiKeyBearer: [] }, { apiKeyHeader: [] }];
  if (auth === "user") return user;
  if (auth === "apiKey") return apiKey;
  if (auth === "userOrApiKey") return [...user, ...apiKey];
  return [];
}

const methodOrder: readonly HttpMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** `POST /api/sessions/{id}/messages` → `postSessionsByIdMessages` (the `/api` prefix dropped). */
export function operationIdOf(route: Pick<HttpRoute, "method" | "path">): string {
  const words = route.path
    .split("/")
    .filter((segment, index) => segment !== "" && !(index === 1 && segment === "api"))
    .flatMap((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment)?.[1];
      return param ? ["by", param] : segment.split(/[^A-Za-z0-9]+/);
    })
    .filter(Boolean);
  return [route.method.toLowerCase(), ...words.map((word) => word[0]!.toUpperCase() + word.slice(1))].join("");
}

/** The directory of the handler under `http/` (health, sessions, tracking, openapi, …), else the first path segment. */
export function tagOf(route: Pick<HttpRoute, "handler" | "path">): string {
  const directory = /\/http\/([^/]+)\//.exec(route.handler)?.[1];
  if (directory) return directory;
  return route.path.split("/").find((segment) => segment !== "" && segment !== "api")?.replace(/\..*$/, "") ?? "default";
}

/** The `.spec` of a manifest route's handler (imported by its manifest path). */
export const specOf = (route: HttpRoute): Promise<DocumentedSpec> => handlerSpecOf(route);

/**
 * Converts zod schemas to JSON Schema 2020-12 (OpenAPI 3.1's dialect) and
 * collects the named ones (`namedSchemas`, or any schema with a global
 * `.meta({ id })`) as components, so a route's schema refers to them.
 */
class SchemaConverter {
  readonly components = new Map<string, JsonSchema>();
  private readonly registry = new NamedRegistry();

  constructor(named: Readonly<Record<string, z.ZodMiniType>>) {
    for (const [name, schema] of Object.entries(named)) this.registry.add(schema, { id: name });
  }

  /** `context` names schemas zod extracts that have no id (cycles), so they cannot collide across routes. */
  convert(schema: z.ZodMiniType, io: "input" | "output", context: string): JsonSchema {
    const converted = z.toJSONSchema(schema, {
      target: "draft-2020-12",
      io,
      // A transform's output, a Date, a custom type: documented as "anything" rather than failing the whole document.
      unrepresentable: "any",
      metadata: this.registry as unknown as z.core.$ZodRegistry<Record<string, unknown>>,
      cycles: "ref",
      reused: "inline",
    }) as JsonSchema;
    const { $schema: _dialect, $defs, ...root } = converted;
    const defs = ($defs ?? {}) as Record<string, JsonSchema>;
    const names = new Map<string, string>();
    for (const key of Object.keys(defs)) names.set(key, /^__/.test(key) || this.registry.isUnnamed(key) ? `${context}${key.replace(/^_+/, "_")}` : key);
    const rewrite = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rewrite);
      if (value === null || typeof value !== "object") return value;
      return Object.fromEntries(
        Object.entries(value).map(([keyword, inner]) => {
          if (keyword === "$ref" && typeof inner === "string" && inner.startsWith("#/$defs/")) {
            const key = inner.slice("#/$defs/".length);
            return [keyword, `#/components/schemas/${names.get(key) ?? key}`];
          }
          return [keyword, rewrite(inner)];
        }),
      );
    };
    for (const [key, def] of Object.entries(defs)) {
      const wanted = names.get(key)!;
      const content = rewrite(def) as JsonSchema;
      const existing = this.components.get(wanted);
      if (existing === undefined || sameJson(existing, content)) {
        this.components.set(wanted, content);
        continue;
      }
      // The same named schema differs as input and as output (defaults, transforms): keep both.
      const alternative = `${wanted}${io === "input" ? "Input" : "Output"}`;
      const other = this.components.get(alternative);
      if (other !== undefined && !sameJson(other, content)) throw new Error(`OpenAPI: two different schemas named ${alternative}`);
      this.components.set(alternative, content);
      names.set(key, alternative);
    }
    // Names may have changed for conflicts: rewrite the root (and the stored defs) with the final names.
    for (const key of Object.keys(defs)) {
      const name = names.get(key)!;
      this.components.set(name, rewrite(this.components.get(name)) as JsonSchema);
    }
    return rewrite(root) as JsonSchema;
  }
}

/** A metadata registry that adds component ids to zod's global metadata (descriptions, titles, `.meta()`). */
class NamedRegistry extends z.core.$ZodRegistry<Record<string, unknown>> {
  private readonly ids = new Set<string>();

  override add(schema: z.core.$ZodType, meta: Record<string, unknown>) {
    if (typeof meta.id === "string") this.ids.add(meta.id);
    return super.add(schema, meta as never);
  }

  override get(schema: z.core.$ZodType) {
    const global = z.globalRegistry.get(schema) as Record<string, unknown> | undefined;
    const own = super.get(schema as never) as Record<string, unknown> | undefined;
    if (global === undefined && own === undefined) return undefined;
    return { ...global, ...own } as never;
  }

  /** An id zod generated, not one given to a schema (here or through the global registry). */
  isUnnamed(id: string): boolean {
    return !this.ids.has(id) && !z.globalRegistry._idmap.has(id);
  }
}

/** Problem responses first, then OpenAI ones; by status within each. */
const byErrorName = (a: string, b: string) => {
  const [prefixA, statusA] = a.split(":");
  const [prefixB, statusB] = b.split(":");
  return prefixA !== prefixB ? (prefixA === "" ? -1 : 1) : Number(statusA) - Number(statusB);
};

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** `{name}` segments of a path template, in order. */
export const pathParameterNames = (path: string): string[] => [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);

/** The error statuses a route can answer, from what its spec says it takes (plus `extraErrors`). */
export function errorStatuses(route: HttpRoute, spec: DocumentedSpec | undefined): number[] {
  const statuses = new Set<number>([500, ...(extraErrors[httpRouteKey(route)] ?? [])]);
  const hasPathParameters = pathParameterNames(route.path).length > 0;
  if (spec?.query || spec?.body) statuses.add(400);
  if (route.auth !== "none") statuses.add(401).add(503); // 503: the token keys or the API key store cannot be reached
  if (hasPathParameters) statuses.add(404);
  // Changing an existing resource can meet its state or a concurrent change.
  if (hasPathParameters && route.method !== "GET") statuses.add(409);
  if (spec?.body) statuses.add(413).add(415);
  return [...statuses].sort((a, b) => a - b);
}

function parametersOf(route: HttpRoute, spec: DocumentedSpec | undefined, converter: SchemaConverter, operationId: string): Parameter[] {
  const parameters: Parameter[] = [];
  const pathSchema = spec?.path ? converter.convert(spec.path, "input", `${operationId}Path`) : undefined;
  const pathProperties = (pathSchema?.properties ?? {}) as Record<string, JsonSchema>;
  for (const name of pathParameterNames(route.path)) {
    parameters.push(withDescription({ name, in: "path", required: true, schema: pathProperties[name] ?? { type: "string" } }));
  }
  if (spec?.query) {
    // Query strings arrive as text: the input side of the schema is what a client sends.
    const query = converter.convert(spec.query, "input", `${operationId}Query`);
    const properties = query.properties as Record<string, JsonSchema> | undefined;
    if (query.type === "object" && properties) {
      const required = new Set((query.required ?? []) as string[]);
      for (const [name, schema] of Object.entries(properties)) parameters.push(withDescription({ name, in: "query", required: required.has(name), schema }));
    } else {
      parameters.push({ name: "query", in: "query", required: false, style: "form", explode: true, schema: query });
    }
  }
  return parameters;
}

/** A parameter's schema description becomes the parameter's. */
function withDescription(parameter: Parameter): Parameter {
  const { description, ...schema } = parameter.schema;
  if (typeof description !== "string") return parameter;
  return { ...parameter, description, schema };
}

function operationOf(route: HttpRoute, spec: DocumentedSpec | undefined, converter: SchemaConverter, operationId: string): Operation {
  const key = httpRouteKey(route);
  const status = spec?.response?.status ?? 200;
  const success: Response = { description: successDescriptions[status] ?? "Success", headers: { "x-trace-id": { $ref: "#/components/headers/TraceId" } } };
  if (status !== 204) {
    const content: Record<string, MediaType> = {};
    const contentType = spec?.response?.contentType ?? "application/json";
    if (spec?.response?.schema) content[contentType] = { schema: converter.convert(spec.response.schema, "output", `${operationId}Response`) };
    else if (spec?.response?.jsonSchema) content[contentType] = { schema: spec.response.jsonSchema };
    else if (spec?.response?.contentType) content[contentType] = {};
    // A streaming route may answer with Server-Sent Events instead.
    if (route.stream) content["text/event-stream"] = { schema: { type: "string", description: "Server-Sent Events, sent as they are produced" } };
    Object.assign(content, alternativeContent[key]);
    if (Object.keys(content).length > 0) success.content = content;
  }
  const responses: Record<string, Response | Reference> = { [String(status)]: success };
  const errorPrefix = spec?.errors === "openai" ? "OpenAi" : "";
  for (const error of errorStatuses(route, spec)) {
    const maxBodyBytes = spec?.maxBodyBytes;
    if (error === 413 && maxBodyBytes !== undefined && maxBodyBytes !== DEFAULT_MAX_BODY_BYTES) {
      const shared = errorResponse(413, spec?.errors === "openai");
      responses["413"] = { ...shared, description: `The body exceeds ${maxBodyBytes} bytes` };
      continue;
    }
    responses[String(error)] = { $ref: `#/components/responses/${errorPrefix}${errorResponses[error]!.name}` };
  }

  const operation: Operation = {
    operationId,
    summary: spec?.summary ?? key,
    tags: [tagOf(route)],
    security: securityFor(route.auth),
    responses,
  };
  const parameters = parametersOf(route, spec, converter, operationId);
  if (parameters.length > 0) operation.parameters = parameters;
  if (spec?.body) {
    operation.requestBody = {
      // An empty body reads as `{}`: the body is optional exactly when `{}` is valid.
      required: !spec.body.safeParse({}).success,
      content: { "application/json": { schema: converter.convert(spec.body, "input", `${operationId}Body`) } },
    };
  }
  return operation;
}

function descriptionOf(): string {
  const actions = webSocketRoutes.map((route) => route.routeKey).filter((key) => !key.startsWith("$"));
  return [
    "The REST API of coach, a serverless conversational-AI backend (an OKR coach first of all).",
    "Authentication: user routes take a JWT as `Authorization: Bearer <token>`; machine-client routes take an API key as `Authorization: Bearer <key>` or `X-API-Key: <key>`. Each operation lists what it accepts.",
    "Errors are RFC 7807 `application/problem+json` with a stable `code` and the `traceId` that finds the request in the logs (also in the `x-trace-id` header). Every response carries CORS and security headers.",
    `Real-time conversations use a separate WebSocket API, not described here: connect with \`?token=<JWT>\` and send JSON frames \`{"action": …}\` with one of the actions ${actions.map((action) => `\`${action}\``).join(", ")}; the server pushes events such as \`message_accepted\`, streamed reply chunks and \`phase_transition\`. See the README, section "Real-time conversations (WebSocket)".`,
  ].join("\n\n");
}

/** The whole document, for the given routes (the manifest's by default), their specs read from their handler modules. */
export async function generateDocument(routes: readonly HttpRoute[] = httpRoutes): Promise<OpenApiDocument> {
  return buildDocument(routes, await handlerSpecs(routes));
}

/** The whole document, for the given routes and their handlers' specs (by route key). */
export function buildDocument(routes: readonly HttpRoute[], specs: ReadonlyMap<string, DocumentedSpec>): OpenApiDocument {
  const converter = new SchemaConverter(namedSchemas);
  const paths: Record<string, PathItem> = {};
  const tags: string[] = [];
  const operationIds = new Set<string>();
  /** `<prefix>:<status>` of the shared error responses the operations refer to. */
  const usedErrors = new Set<string>();
  // Paths in manifest order; within a path, methods in a fixed order.
  const ordered = [...routes].sort((a, b) => {
    const pathOrder = routes.findIndex((r) => r.path === a.path) - routes.findIndex((r) => r.path === b.path);
    return pathOrder !== 0 ? pathOrder : methodOrder.indexOf(a.method) - methodOrder.indexOf(b.method);
  });
  for (const route of ordered) {
    let operationId = operationIdOf(route);
    for (let n = 2; operationIds.has(operationId); n++) operationId = `${operationIdOf(route)}${n}`;
    operationIds.add(operationId);
    const operation = operationOf(route, specs.get(httpRouteKey(route)), converter, operationId);
    (paths[route.path] ??= {})[route.method.toLowerCase() as Lowercase<HttpMethod>] = operation;
    for (const tag of operation.tags) if (!tags.includes(tag)) tags.push(tag);
    for (const response of Object.values(operation.responses)) {
      const name = "$ref" in response ? response.$ref.split("/").pop()! : undefined;
      const status = Object.entries(errorResponses).find(([, error]) => name === error.name || name === `OpenAi${error.name}`)?.[0];
      if (name && status) usedErrors.add(`${name.startsWith("OpenAi") ? "OpenAi" : ""}:${status}`);
    }
  }
  const responses: Record<string, Response> = {};
  for (const name of [...usedErrors].sort(byErrorName)) {
    const [prefix, status] = name.split(":") as ["" | "OpenAi", string];
    responses[`${prefix}${errorResponses[Number(status)]!.name}`] = errorResponse(Number(status), prefix === "OpenAi");
    // The error schemas are components whether or not a route schema contains them.
    const schema = prefix === "OpenAi" ? "OpenAiError" : "Problem";
    converter.convert(namedSchemas[schema]!, "output", schema);
  }
  const schemas = Object.fromEntries([...converter.components.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

  return {
    openapi: "3.1.0",
    info: { title: "coach API", version: "0.0.0", description: descriptionOf() },
    // Relative: the document works locally and behind any stage, domain or base path.
    servers: [{ url: "/", description: "The API that serves this document" }],
    tags: tags.map((name) => (tagDescriptions[name] ? { name, description: tagDescriptions[name] } : { name })),
    paths,
    components: {
      schemas,
      responses,
      headers: { TraceId: { description: "The request's trace id; it finds the request in the logs", schema: { type: "string" } } },
      securitySchemes: { ...securitySchemes },
    },
  };
}
