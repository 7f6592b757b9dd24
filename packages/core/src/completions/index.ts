/** The OpenAI-compatible Chat Completions API over the same AI providers. */
export { ChatCompletionRequest, ChatMessage, textOf } from "./request";
export { servedModels, resolveModel, MODELS_CREATED } from "./models";
export type { ServedModel } from "./models";
export { planCompletion } from "./run";
export type { CompletionEvent, CompletionPlan } from "./run";
export { appendToThread, assertThread } from "./thread";
