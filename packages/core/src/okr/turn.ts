import type { FlowTurn } from "../flow/plugin";
import { offlineReply } from "./offline/responder";
import type { OkrState } from "./machine/machine";
import { okr } from "./flow";
import { systemPrompt } from "./prompts";
import { applyTool, okrTools } from "./tools";

/** The OKR flow in a turn: the coach's prompts and tools, and its deterministic stand-in for the model. */
export const turn: FlowTurn<OkrState> = {
  flow: okr,
  // Drafting and scoring key results through tools is worth more thought than a chat reply.
  effort: "medium",
  instructions: systemPrompt,
  tools: okrTools,
  applyTool,
  standIn: (state) => (conversation) => {
    const userMessage = [...conversation.messages].reverse().find((m) => m.role === "user")?.content ?? "";
    return offlineReply(state, userMessage, conversation.messages, { today: conversation.today });
  },
};
