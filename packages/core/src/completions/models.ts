import { config, type ServedModel } from "../config";
import { VisibleError } from "../error";

/**
 * The models this deployment serves under the OpenAI-compatible API, each
 * mapped to a provider model: COMPLETION_MODELS, read by `config().completions`.
 */
export type { ServedModel } from "../config";

export const servedModels: readonly ServedModel[] = config().completions.models;

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
