import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testStackConfig } from "../../../../test/env";
import { startLocalStack, type LocalStack } from "../../../local/src/stack";
import { httpRouteKey, httpRoutes, type HttpRoute } from "../../src/manifest";
import type { OpenApiDocument, Operation, Reference, Response } from "../../src/http/openapi/document-types";
import { apiClient, newUser, type Api, type ApiResponse } from "../support/api";

/**
 * The OpenAPI document, fetched over HTTP from the local stack as a client
 * would: valid OpenAPI 3.1, exactly the manifest's routes, each with its
 * auth, summary and success response, and stable byte for byte. The HTML
 * reference lists every path and its stylesheet is allowed by the CSP.
 */
let stack: LocalStack;
let api: Api;
let first: ApiResponse;
let second: ApiResponse;
let document: OpenApiDocument;

beforeAll(async () => {
  stack = await startLocalStack(testStackConfig());
  api = apiClient(stack);
  first = await api.get("/api/openapi.json");
  second = await api.get("/api/openapi.json");
  document = JSON.parse(first.text) as OpenApiDocument;
});

afterAll(async () => {
  await stack?.stop();
});

const operations = () =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, operation: operation as Operation })),
  );

const routeOf = (key: string): HttpRoute => httpRoutes.find((route) => httpRouteKey(route) === key)!;

describe("GET /api/openapi.json", () => {
  it("answers 200 application/json without credentials", () => {
    expect(first.status, first.text).toBe(200);
    expect(first.headers.get("content-type")).toMatch(/^application\/json/);
    expect(document.openapi).toBe("3.1.0");
    expect(document.servers).toEqual([{ url: "/", description: expect.any(String) }]);
  });

  it("is valid OpenAPI 3.1 (the official schema, checked offline)", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    // The validator does reject a broken document: the check above means something.
    const broken = structuredClone(document) as unknown as Record<string, Record<string, unknown>>;
    broken.paths!["/health"] = { get: { responses: { "200": { content: {} } } } };
    expect((await new Validator().validate(broken as never)).valid).toBe(false);
  });

  it("documents every manifest route, and nothing else", () => {
    const documented = operations().map((entry) => entry.key).sort();
    const manifest = httpRoutes.map(httpRouteKey).sort();
    expect(documented).toEqual(manifest);
  });

  it("gives every operation a summary, a unique operationId, a tag and the security of the route's auth", () => {
    const expected: Record<HttpRoute["auth"], Record<string, string[]>[]> = {
      none: [],
      user: [{ bearerAuth: [] }],
      apiKey: [{ apiKeyBearer: [] }, { apiKeyHeader: [] }],
      userOrApiKey: [{ bearerAuth: [] }, { apiKeyBearer: [] }, { apiKeyHeader: [] }],
    };
    const ids = new Set<string>();
    for (const { key, operation } of operations()) {
      const route = routeOf(key);
      // A summary the handler gave, not the fallback (the method and path).
      expect(operation.summary, key).toBeTruthy();
      expect(operation.summary, `${key}: its httpRoute spec needs a summary`).not.toBe(key);
      expect(operation.tags.length, key).toBeGreaterThan(0);
      expect(ids.has(operation.operationId), `${key}: duplicate operationId ${operation.operationId}`).toBe(false);
      ids.add(operation.operationId);
      expect(operation.security, key).toEqual(expected[route.auth]);
      if (route.auth !== "none") expect(operation.responses["401"], key).toBeDefined();
    }
    for (const scheme of ["bearerAuth", "apiKeyBearer", "apiKeyHeader"]) expect(document.components.securitySchemes[scheme]).toBeDefined();
    expect(document.components.securitySchemes.apiKeyHeader).toMatchObject({ type: "apiKey", in: "header", name: "X-API-Key" });
  });

  it("gives every operation exactly one success response, with a schema unless it is a 204", () => {
    for (const { key, operation } of operations()) {
      const successes = Object.keys(operation.responses).filter((status) => status.startsWith("2"));
      expect(successes, key).toHaveLength(1);
      const success = operation.responses[successes[0]!] as Response;
      if (successes[0] === "204") expect(success.content, key).toBeUndefined();
      else expect(Object.values(success.content ?? {}).some((media) => media.schema !== undefined), `${key}: its httpRoute spec needs response.schema`).toBe(true);
      expect(operation.responses["500"], key).toBeDefined();
    }
    expect(operations().find((entry) => entry.key === "POST /api/sessions")!.operation.responses["201"]).toBeDefined();
    expect(operations().find((entry) => entry.key === "DELETE /api/sessions/{id}")!.operation.responses["204"]).toBeDefined();
  });

  it("declares every path parameter, and takes query parameters and bodies from the request schemas", () => {
    for (const { key, operation } of operations()) {
      const names = [...key.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const declared = (operation.parameters ?? []).filter((parameter) => parameter.in === "path").map((parameter) => parameter.name);
      expect(declared, key).toEqual(names);
    }
    const history = operations().find((entry) => entry.key === "GET /api/sessions/{id}/messages")!.operation;
    // Query strings are text: the input side of `queryInt` is a digit string.
    expect(history.parameters!.find((parameter) => parameter.name === "limit")).toMatchObject({ in: "query", required: false, schema: { type: "string" } });
    const send = operations().find((entry) => entry.key === "POST /api/sessions/{id}/messages")!.operation;
    expect(send.requestBody).toMatchObject({ required: true, content: { "application/json": { schema: { type: "object", required: ["clientMessageId", "content"] } } } });
    const create = operations().find((entry) => entry.key === "POST /api/sessions")!.operation;
    expect(create.requestBody?.required).toBe(false);
    expect(create.responses["201"]).toMatchObject({ content: { "application/json": { schema: { $ref: "#/components/schemas/Session" } } } });
  });

  it("resolves every $ref to a component", () => {
    const refs = [...first.text.matchAll(/"\$ref":"([^"]+)"/g)].map((match) => match[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) {
      const [, section, name] = /^#\/components\/(\w+)\/([^/]+)$/.exec(ref) ?? [];
      expect((document.components as Record<string, Record<string, unknown>>)[section ?? ""]?.[name ?? ""], ref).toBeDefined();
    }
    const notFound = operations().find((entry) => entry.key === "GET /api/sessions/{id}")!.operation.responses["404"] as Reference;
    expect(document.components.responses[notFound.$ref.split("/").pop()!]).toMatchObject({ content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } });
  });

  it("describes the WebSocket API in info.description", () => {
    expect(document.info.description).toMatch(/WebSocket/);
    expect(document.info.description).toMatch(/send_message/);
  });

  it("is byte-identical across fetches, and to a fresh generation (not just a cache)", async () => {
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
    const { generateDocument } = await import("../../src/http/openapi/generate");
    expect(JSON.stringify(await generateDocument())).toBe(first.text);
  });
});

describe("the handler specs behind the document", () => {
  it("documents what the handlers really answer: real responses parse with the documented schemas", async () => {
    const { specOf } = await import("../../src/http/openapi/generate");
    const user = newUser();
    const session = await api.createSession(user);
    const paths: [string, string, object?][] = [
      ["GET", "/health"],
      ["GET", "/health/ready"],
      ["POST", "/api/sessions", {}],
      ["GET", "/api/sessions?limit=5"],
      ["GET", `/api/sessions/${session.id}`],
      ["GET", `/api/sessions/${session.id}/messages`],
      ["GET", `/api/sessions/${session.id}/okrs`],
      ["GET", `/api/sessions/${session.id}/export`],
      ["POST", `/api/sessions/${session.id}/transition`, { to: "refinement" }],
      ["POST", `/api/sessions/${session.id}/end`],
      ["POST", `/api/sessions/${session.id}/resume`],
      ["POST", `/api/sessions/${session.id}/resolve`, { notes: "done" }],
    ];
    for (const [method, url, json] of paths) {
      const response = await api.call(method, url, { as: user, json });
      const key = `${method} ${url.replace(session.id, "{id}").replace(/\?.*$/, "")}`;
      const spec = await specOf(routeOf(key));
      expect(response.status, `${key}: ${response.text}`).toBe(spec?.response?.status ?? 200);
      const parsed = spec!.response!.schema!.safeParse(JSON.parse(response.text));
      expect(parsed.error?.issues ?? [], key).toEqual([]);
    }
  });
});

describe("GET /api/docs", () => {
  it("renders the document as one HTML page listing every path, with no script, its stylesheet allowed by hash", async () => {
    const response = await api.get("/api/docs");
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = response.text;
    expect(html).toMatch(/^<!doctype html>/);
    for (const { key, operation } of operations()) {
      const [method, path] = key.split(" ");
      expect(html, key).toContain(`<code>${path}</code>`);
      expect(html, key).toContain(`id="op-${operation.operationId}"`);
      expect(html, key).toContain(`>${method!.toLowerCase()}</span>`);
    }
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=/i);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/default-src 'none'/);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const { createHash } = await import("node:crypto");
    expect(csp).toContain(`style-src 'sha256-${createHash("sha256").update(style).digest("base64")}'`);
  });
});
