import { z } from "zod";
import type { FlowDefinition } from "./definition";

const ChatState = z.object({});
type ChatState = z.infer<typeof ChatState>;

/** A plain assistant: one phase, no tools, no state. Shows what a flow beside `okr` needs. */
export const chatFlow: FlowDefinition<ChatState> = {
  name: "chat",
  initialPhase: "chat",
  phases: ["chat"],
  stateSchema: ChatState,
  initialState: () => ({}),
  phaseOf: () => "chat",
  systemPrompt: () => ({
    stable: "You are a helpful, concise assistant. Answer in plain prose; ask one clarifying question when the request is ambiguous.",
    dynamic: "",
  }),
  tools: [],
  applyTool: () => {
    throw new Error("The chat flow has no tools");
  },
  onTransitionRequest: (state, to) => ({ state, effects: [{ type: "transition_rejected", to, reason: "The chat flow has a single phase" }] }),
  offlineReply: (_state, userMessage) => ({
    text: `You said: "${userMessage.length > 200 ? `${userMessage.slice(0, 197)}...` : userMessage}". I'm the offline assistant; set ANTHROPIC_API_KEY for real answers.`,
    toolCalls: [],
  }),
};
