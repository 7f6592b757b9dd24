import { VisibleError } from "../error";

/**
 * The models this deployment serves under the OpenAI-compatible API, each
 * mapped to a provider model: COMPLETION_MODELS = "name=providerModel,…",
 * read once. The default serves one model, `coach`, on the provider's own
 * configured model (Claude's ANTHROPIC_MODEL, or the offline coach).
 */
export interface ServedModel {
  id: string;
  /** The provider's model id; undefined means the provider's configured default. */
  providerModel?: string;
}

function parse(raw: string | undefined): ServedModel[] {
  if (!raw?.trim()) return [{ id: "coach" }];
  return raw.split(",").map((entry) => {
    const [id, providerModel] = entry.split("=").map((part) => part.trim());
    if (!id || !/^[\w.:-]{1,64}$/.test(id)) throw new Error(`COMPLETION_MODELS: "${entry}" is not name=providerModel`);
    return providerModel ? { id, providerModel } : { id };
  });
}

export const servedModels: readonly ServedModel[] = parse(process.env.COMPLETION_MODELS);

/** `created` of every served model: fixed, so listings are stable (2026-01-01). */
export const MODELS_CREATED = 1_767_225_600;

/** The model, or OpenAI's 404 `model_not_found`. */
export function resolveModel(id: string): ServedModel {
  const model = servedModels.find((m) => m.id === id);
  if (!model) {
    throw new VisibleError("not_found", "model_not_found", `The model \`${id}\` does not exist or you do not have access to it.`, { param: "model" });
  }
  return model;
}
