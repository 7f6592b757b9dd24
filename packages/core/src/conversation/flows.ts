/**
 * The conversation flows a session can run, with the phase each starts in.
 * The OKR coach is the product's flow; `chat` is a plain assistant.
 */
export const flows = {
  okr: { initialPhase: "discovery" },
  chat: { initialPhase: "chat" },
} as const;

export type FlowName = keyof typeof flows;
export const flowNames = Object.keys(flows) as [FlowName, ...FlowName[]];
export const defaultFlow: FlowName = "okr";
