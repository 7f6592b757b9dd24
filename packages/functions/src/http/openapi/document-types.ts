import type { HttpMethod, HttpRoute } from "../../manifest";

/** The parts of an OpenAPI 3.1 document this API's generator writes (and the docs page reads). */
export type JsonSchema = { [keyword: string]: unknown };
export type AuthMode = HttpRoute["auth"];

export interface Parameter {
  name: string;
  in: "path" | "query";
  required: boolean;
  description?: string;
  schema: JsonSchema;
  style?: "form";
  explode?: boolean;
}

export interface MediaType {
  schema?: JsonSchema;
}

export interface Reference {
  $ref: string;
}

export interface Response {
  description: string;
  headers?: Record<string, Reference>;
  content?: Record<string, MediaType>;
}

export interface Operation {
  operationId: string;
  summary: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: Record<string, MediaType> };
  responses: Record<string, Response | Reference>;
}

export type PathItem = Partial<Record<Lowercase<HttpMethod>, Operation>>;

export interface SecurityScheme {
  type: "http" | "apiKey";
  scheme?: string;
  bearerFormat?: string;
  in?: "header";
  name?: string;
  description: string;
}

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  servers: { url: string; description: string }[];
  tags: { name: string; description?: string }[];
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, Response>;
    headers: Record<string, { description: string; schema: JsonSchema }>;
    securitySchemes: Record<string, SecurityScheme>;
  };
}
