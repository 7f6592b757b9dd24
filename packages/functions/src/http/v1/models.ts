import * as z from "@coach/core/zod";
// Only the model list: the completions barrel would bring the provider and the conversation into this bundle.
import { MODELS_CREATED, servedModels } from "@coach/core/completions/models";
import { httpRoute } from "../shared/route";

const ModelList = z.object({
  object: z.literal("list"),
  data: z.array(z.object({ id: z.string(), object: z.literal("model"), created: z.number(), owned_by: z.string() })),
});

/** The models this deployment serves, in OpenAI's list shape. */
export const handler = httpRoute(
  "GET /v1/models",
  { errors: "openai", summary: "List the models served by the OpenAI-compatible API", response: { schema: ModelList } },
  async () => ({
    body: {
      object: "list",
      data: servedModels.map((model) => ({ id: model.id, object: "model", created: MODELS_CREATED, owned_by: "coach" })),
    } satisfies z.infer<typeof ModelList>,
  }),
);
