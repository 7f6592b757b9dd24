import * as z from "@coach/core/zod";
import * as Template from "@coach/core/template";
import { httpRoute } from "../shared/route";
import { queryInt, TemplatePath } from "./params";

const Query = z.object({ version: z.optional(queryInt).check(z.describe("A version (what a session pinned); the latest when absent")) });

export const handler = httpRoute(
  "GET /api/templates/{id}",
  { path: TemplatePath, query: Query, summary: "A questionnaire template: its latest version, or `?version=`", response: { schema: Template.Template } },
  async ({ path, query }) => ({ body: await Template.getTemplate(path.id, query.version) }),
);
