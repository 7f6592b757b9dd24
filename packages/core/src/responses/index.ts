/**
 * The OpenAI Responses API over the same providers and sessions: a stored
 * response is a turn of one of the caller's sessions. Handlers import this as
 * a namespace: `Responses.open(...)`, `Responses.retrieve(id)`.
 */
export { open } from "./create";
export type { DescribeError, OpenedResponse, ResponsePorts, ResponseStreamEvent } from "./create";
export { retrieve, remove, inputItems } from "./read";
export { CreateResponse, InputItemsQuery } from "./request";
export { ResponseObject, InputItemList, DeletedResponse } from "./object";
