import * as z from "@coach/core/zod";
import * as Template from "@coach/core/template";
import { httpRoute } from "../shared/route";
import { NextCursor } from "../shared/next-cursor";
import { queryInt } from "./params";

const Query = z.object({ limit: z.optional(queryInt), cursor: z.optional(z.string()) });

const Page = z.object({ templates: z.array(Template.TemplateSummary), nextCursor: NextCursor });

export const handler = httpRoute(
  "GET /api/templates",
  { query: Query, summary: "Questionnaire templates by id, each as its latest version's summary", response: { schema: Page } },
  async ({ query }) => {
    const page = await Template.listTemplates(query);
    return { body: { templates: page.items, nextCursor: page.nextCursor ?? null } };
  },
);
