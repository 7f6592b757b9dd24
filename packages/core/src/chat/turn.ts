import type { FlowTurn } from "../flow/plugin";
import { chat } from "./index";

/** The chat flow in a turn: a short prompt and nothing else; offline, the stand-in provider's echo answers. */
export const turn: FlowTurn<object> = {
  flow: chat,
  instructions: () => ({
    stable: "You are a helpful, concise assistant. Answer in plain prose; ask one clarifying question when the request is ambiguous.",
    dynamic: "",
  }),
  tools: [],
  applyTool: () => {
    throw new Error("The chat flow has no tools");
  },
};
