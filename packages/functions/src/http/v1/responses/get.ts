import * as z from "@coach/core/zod";
import * as Responses from "@coach/core/responses";
import { httpRoute } from "../../shared/route";

const Path = z.object({ id: z.string().check(z.minLength(1), z.maxLength(128)) });

/** A stored response of the caller, as it was answered; someone else's (or a deleted one) is OpenAI's 404. */
export const handler = httpRoute(
  "GET /v1/responses/{id}",
  { path: Path, errors: "openai", summary: "Retrieve a stored response (OpenAI's Responses API)", response: { schema: Responses.ResponseObject } },
  async ({ path }) => ({ body: await Responses.retrieve(path.id) }),
);
