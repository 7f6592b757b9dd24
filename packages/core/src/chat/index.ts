import * as z from "../zod";
import type { Flow } from "../flow/plugin";

const ChatState = z.object({});
type ChatState = z.infer<typeof ChatState>;

/** A plain assistant: one phase, no tools, no state. What a flow beside `okr` needs, and no more. */
export const chat: Flow<ChatState> = {
  name: "chat",
  initialPhase: "chat",
  phases: ["chat"],
  stateSchema: ChatState,
  initialState: () => ({}),
  phaseOf: () => "chat",
  onTransitionRequest: (state, to) => ({ state, effects: [{ type: "transition_rejected", to, reason: "The chat flow has a single phase" }] }),
};
