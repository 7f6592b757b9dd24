import * as Conversation from "@coach/core/conversation";
import { defaultFlow, flows, type FlowName } from "@coach/core/flows";

/** A new session of the caller (set the actor first), by flow name as the REST API takes it: what the create handler does. */
export function createSession(input: { flow?: FlowName; metadata?: Record<string, unknown> } = {}) {
  return Conversation.create({ metadata: input.metadata }, flows[input.flow ?? defaultFlow]);
}
