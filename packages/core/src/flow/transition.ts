import * as z from "../zod";
import { SessionId } from "../conversation/session";
import { loadOwnedSession } from "../conversation/store";
import { VisibleError } from "../error";
import { invalidInput } from "../util";
import { flowNamed, type AnyFlow, type PhaseTransitionEffect } from "./plugin";
import { loadFlowState, saveFlowState } from "./state";

export const TransitionInput = z.object({ sessionId: SessionId, to: z.string().check(z.minLength(1), z.maxLength(64)) });

/**
 * Moves the session to another phase if its flow allows it; otherwise
 * `phase.invalid_transition` (409) with the flow's reason. `flows` are the
 * plug-ins the caller can run, by name.
 */
export async function transition(raw: z.input<typeof TransitionInput>, flows: Readonly<Record<string, AnyFlow>>) {
  const parsed = TransitionInput.safeParse(raw);
  if (!parsed.success) throw invalidInput(parsed.error);
  const input = parsed.data;
  const session = await loadOwnedSession(input.sessionId);
  const flow = flowNamed(flows, session.flow);
  const current = await loadFlowState(session.id, flow);
  const step = flow.onTransitionRequest(flow.stateSchema.parse(current.state), input.to, "user");
  const rejected = step.effects.find((effect) => effect.type === "transition_rejected");
  if (rejected) {
    throw new VisibleError("conflict", "phase.invalid_transition", rejected.reason, { from: session.phase, to: input.to, phases: flow.phases });
  }
  await saveFlowState(session.id, flow, current, step.state, step.effects, session.ttl);
  const phase = flow.phaseOf(step.state);
  return {
    session: phase === session.phase ? session : { ...session, phase, version: session.version + 1 },
    transitions: step.effects.filter((effect): effect is PhaseTransitionEffect => effect.type === "phase_transition"),
  };
}
