import * as z from "@coach/core/zod";
import * as Documents from "@coach/core/document";
import { httpRoute } from "../shared/route";
import { NextCursor } from "../shared/next-cursor";
import { queryInt } from "../shared/query-int";

const Query = z.object({ limit: z.optional(queryInt), cursor: z.optional(z.string()) });

const Page = z.object({ documents: z.array(Documents.Summary), nextCursor: NextCursor });

export const handler = httpRoute(
  "GET /api/documents",
  { query: Query, summary: "The caller's documents, newest first, without their Markdown", response: { schema: Page } },
  async ({ query, userId }) => {
    const page = await Documents.listDocuments(userId, query);
    return { body: { documents: page.items, nextCursor: page.nextCursor ?? null } };
  },
);
