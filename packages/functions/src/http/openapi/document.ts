import { z } from "zod";
import { httpRoute } from "../shared/route";
import { openApiDocument } from "./generate";

const OpenApiDocument = z
  .object({
    openapi: z.string(),
    info: z.object({ title: z.string(), version: z.string(), description: z.string() }),
    paths: z.record(z.string(), z.unknown()),
    components: z.record(z.string(), z.unknown()),
  })
  .catchall(z.unknown())
  .describe("An OpenAPI 3.1 document");

/** The OpenAPI 3.1 document of this API, generated from the route manifest and the handlers' zod schemas. */
export const handler = httpRoute(
  { auth: "none", summary: "The OpenAPI 3.1 document of this API", response: { schema: OpenApiDocument } },
  async () => ({ raw: openApiDocument().json, headers: { "content-type": "application/json" } }),
);
