import * as z from "@coach/core/zod";
import * as Responses from "@coach/core/responses";
import { httpRoute } from "../../shared/route";

const Path = z.object({ id: z.string().check(z.minLength(1), z.maxLength(128)) });

/** Deletes a stored response: GET and previous_response_id answer 404 after; its exchange stays in the session's history. */
export const handler = httpRoute(
  "DELETE /v1/responses/{id}",
  { path: Path, errors: "openai", summary: "Delete a stored response (its session keeps the exchange)", response: { schema: Responses.DeletedResponse } },
  async ({ path }) => ({ body: await Responses.remove(path.id) }),
);
