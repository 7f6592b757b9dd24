import * as z from "zod";
import * as Responses from "@coach/core/responses";
import { httpRoute } from "../../shared/route";

const Path = z.object({ id: z.string().min(1).max(128) });

/** Deletes a stored response: GET and previous_response_id answer 404 after; its exchange stays in the session's history. */
export const handler = httpRoute(
  "DELETE /v1/responses/{id}",
  { path: Path, errors: "openai", summary: "Delete a stored response (its session keeps the exchange)", response: { schema: Responses.DeletedResponse } },
  async ({ path }) => ({ body: await Responses.remove(path.id) }),
);
