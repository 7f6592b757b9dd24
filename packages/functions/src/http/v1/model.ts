import * as z from "@coach/core/zod";
// Only the model list: the completions barrel would bring the provider and the conversation into this bundle.
import { MODELS_CREATED, resolveModel } from "@coach/core/completions/models";
import { httpRoute } from "../shared/route";

const Model = z.object({ id: z.string(), object: z.literal("model"), created: z.number(), owned_by: z.string() });
const Path = z.object({ model: z.string().check(z.minLength(1), z.maxLength(128)) });

/** One served model; an unknown id is OpenAI's 404 `model_not_found`. */
export const handler = httpRoute(
  "GET /v1/models/{model}",
  { path: Path, errors: "openai", summary: "Retrieve one served model", response: { schema: Model } },
  async ({ path }) => {
    const model = resolveModel(path.model);
    return { body: { id: model.id, object: "model", created: MODELS_CREATED, owned_by: "coach" } satisfies z.infer<typeof Model> };
  },
);
