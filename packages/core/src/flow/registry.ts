import type { z } from "zod";
import { okrFlow } from "../okr/okr-flow";
import { chatFlow } from "./chat-flow";
import type { FlowDefinition, FlowEffect } from "./definition";

/** A flow whose state is opaque to its caller: every call parses the state with the flow's own schema first. */
export type AnyFlow = FlowDefinition<unknown, FlowEffect>;

function register<State, Effect extends FlowEffect>(flow: FlowDefinition<State, Effect>): AnyFlow {
  const parse = (state: unknown): State => flow.stateSchema.parse(state);
  return {
    ...flow,
    stateSchema: flow.stateSchema as z.ZodType<unknown>,
    phaseOf: (state) => flow.phaseOf(parse(state)),
    systemPrompt: (state) => flow.systemPrompt(parse(state)),
    applyTool: (state, call) => flow.applyTool(parse(state), call),
    onTransitionRequest: (state, to, by) => flow.onTransitionRequest(parse(state), to, by),
    offlineReply: (state, message, history, context) => flow.offlineReply(parse(state), message, history, context),
  };
}

/**
 * Every flow a session can run. The turn pipeline, transitions and exports
 * work through FlowDefinition only, so a new flow is one entry here.
 */
export const flowRegistry = {
  okr: register(okrFlow),
  chat: register(chatFlow),
} as const;

export type FlowName = keyof typeof flowRegistry;
export const flowNames = Object.keys(flowRegistry) as [FlowName, ...FlowName[]];
export const defaultFlow: FlowName = "okr";

export function flowFor(name: string): AnyFlow {
  const flow = (flowRegistry as Record<string, AnyFlow>)[name];
  if (!flow) throw new Error(`Unknown flow ${name}`);
  return flow;
}
