import type { ProviderMessage } from "./provider";

/**
 * What a flow's deterministic stand-in for the model sees and says: the
 * conversation as a model gets it, and a reply with the tool calls it
 * makes (which go through the same tool runner as a model's).
 */
export interface StandInConversation {
  messages: readonly ProviderMessage[];
  /** Today as YYYY-MM-DD, to resolve "by June 30"; the offline provider's clock or setting. */
  today: string;
}

export interface StandInReply {
  text: string;
  toolCalls: { name: string; input: unknown }[];
}

export type Responder = (conversation: StandInConversation) => StandInReply;
