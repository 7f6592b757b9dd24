import * as z from "../zod";
import { VisibleError } from "../error";
import { invalidInput } from "../util/invalid-input";
import { DraftUpdate, applyDraftUpdate } from "./machine/draft";
import { toolInputSchema } from "../flow/tool-input-schema";
import type { FlowTool, FlowToolCall, FlowToolOutcome } from "../flow/plugin";
import { reduce, type OkrEffect, type OkrState } from "./machine/machine";
import { Phase } from "./machine/phases";
import { describeScore } from "./prompts";
import { scoreDraft } from "./machine/rubric";

export const UPDATE_DRAFT = "update_okr_draft";
export const PROPOSE_TRANSITION = "propose_phase_transition";

/** The input of the `propose_phase_transition` tool. */
export const ProposeTransition = z.object({
  to: Phase.check(z.describe("The phase to move to")),
  reason: z.string().check(z.trim(), z.minLength(1), z.maxLength(500), z.describe("Why, in a sentence")),
});
export type ProposeTransition = z.infer<typeof ProposeTransition>;

export { toolInputSchema };

export const okrTools: readonly FlowTool[] = [
  {
    name: UPDATE_DRAFT,
    description:
      "Change the OKR draft: set or replace the objective, add or change key results (by id; new ones get the next free id), remove key results by id. The draft is validated and scored by the rubric; the result gives the new scores or why the update was rejected (then nothing changed).",
    schema: DraftUpdate,
    inputSchema: toolInputSchema(DraftUpdate),
  },
  {
    name: PROPOSE_TRANSITION,
    description:
      "Move the session to another phase (discovery, refinement, kr_discovery, validation, complete). Moving back is always allowed; moving forward only through phases whose exit criteria hold; complete only when the set passes the rubric.",
    schema: ProposeTransition,
    inputSchema: toolInputSchema(ProposeTransition),
  },
];

/**
 * Runs one tool call against the state. Invalid input throws a VisibleError
 * (kind "invalid") and changes nothing; a refused transition is not an error
 * but a `transition_rejected` effect the model reads about in the result.
 */
export function applyTool(state: OkrState, call: FlowToolCall): FlowToolOutcome<OkrState, OkrEffect> {
  switch (call.name) {
    case UPDATE_DRAFT: {
      const draft = applyDraftUpdate(state.draft, call.input);
      const step = reduce(state, { type: "draft_updated", draft });
      const saved = step.state.draftVersion === state.draftVersion ? `No change; the draft stays at version ${state.draftVersion}.` : `Saved draft version ${step.state.draftVersion}.`;
      return { ...step, result: [saved, ...transitionLines(step.effects), `Phase: ${step.state.phase}.`, `Rubric: ${describeScore(scoreDraft(step.state.draft))}`].join("\n") };
    }
    case PROPOSE_TRANSITION: {
      const parsed = ProposeTransition.safeParse(call.input);
      if (!parsed.success) throw invalidInput(parsed.error, "okr.invalid_transition");
      const step = reduce(state, { type: "transition_requested", to: parsed.data.to, by: "assistant", reason: parsed.data.reason });
      return { ...step, result: [...transitionLines(step.effects), `Phase: ${step.state.phase}.`].join("\n") };
    }
    default:
      throw new VisibleError("invalid", "okr.unknown_tool", `There is no tool called ${call.name}`, { tools: okrTools.map((t) => t.name) });
  }
}

function transitionLines(effects: readonly OkrEffect[]): string[] {
  return effects.map((effect) =>
    effect.type === "phase_transition"
      ? `Moved from ${effect.from} to ${effect.to} (${effect.by}): ${effect.reason}`
      : `Transition to ${effect.to} rejected: ${effect.reason}`,
  );
}
