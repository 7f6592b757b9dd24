import document from "./openapi.json";
import { staticRoute } from "./static-route";

let json: string | undefined;

/**
 * The OpenAPI 3.1 document of this API, as `pnpm openapi` generated it from
 * the route manifest and the handlers' zod schemas (packages/functions/test/openapi
 * fails when the committed file is stale).
 */
export const handler = staticRoute(
  "GET /api/openapi.json",
  {
    summary: "The OpenAPI 3.1 document of this API",
    response: {
      jsonSchema: {
        type: "object",
        properties: {
          openapi: { type: "string" },
          info: {
            type: "object",
            properties: { title: { type: "string" }, version: { type: "string" }, description: { type: "string" } },
            required: ["title", "version", "description"],
            additionalProperties: false,
          },
          paths: { type: "object", propertyNames: { type: "string" }, additionalProperties: {} },
          components: { type: "object", propertyNames: { type: "string" }, additionalProperties: {} },
        },
        required: ["openapi", "info", "paths", "components"],
        additionalProperties: {},
        description: "An OpenAPI 3.1 document",
      },
    },
  },
  () => ({ contentType: "application/json", body: (json ??= JSON.stringify(document)) }),
);
