/**
 * The OpenAI Responses API over the same providers and sessions: a stored
 * response is a turn of one of the caller's sessions. Handlers import this as
 * a namespace: `Responses.retrieve(id)`. Creating one runs a provider, so it
 * has its own entry, `@coach/core/responses/create` (`open`): the read routes
 * do not carry the AI SDK.
 */
export { retrieve, remove, inputItems } from "./read";
export { CreateResponse, InputItemsQuery } from "./request";
export { ResponseObject, InputItemList, DeletedResponse } from "./object";
