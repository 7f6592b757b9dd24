import * as z from "@coach/core/zod";
import * as Responses from "@coach/core/responses";
import { httpRoute } from "../../shared/route";

const Path = z.object({ id: z.string().check(z.minLength(1), z.maxLength(128)) });

/** The input messages of a stored response, in OpenAI's list shape (newest first by default; `after`, `limit`, `order`). */
export const handler = httpRoute(
  "GET /v1/responses/{id}/input_items",
  { path: Path, query: Responses.InputItemsQuery, errors: "openai", summary: "List a stored response's input items", response: { schema: Responses.InputItemList } },
  async ({ path, query }) => ({ body: await Responses.inputItems(path.id, query) }),
);
