import * as z from "../../zod";

/** The phases of the OKR flow, in order. */
export const Phase = z.enum(["discovery", "refinement", "kr_discovery", "validation", "complete"]);
export type Phase = z.infer<typeof Phase>;

export const phases: readonly Phase[] = Phase.options;
export const initialPhase: Phase = "discovery";

export interface PhaseInfo {
  /** What the phase is for. */
  goal: string;
  /** When the phase is done (checked after every draft change). */
  exitCriterion: string;
  /**
   * The phase is left when the person confirms, not as soon as its criterion
   * holds: someone still listing key results must not be told they are done.
   */
  leftOnConfirmation?: boolean;
  /** What the coach asks in this phase, most important first. */
  questions: readonly string[];
}

export const phaseInfo: Record<Phase, PhaseInfo> = {
  discovery: {
    goal: "Find the one outcome that matters most this period and draft it as an objective.",
    exitCriterion: "The draft has an objective.",
    questions: [
      "What is the one outcome that would make this quarter a success for you?",
      "What problem are you trying to solve, and for whom?",
      "What timeframe are we talking about — this quarter, a half, the year?",
    ],
  },
  refinement: {
    goal: "Make the objective qualitative, inspiring, single-focused and time-bound.",
    exitCriterion: "The objective scores at least the rubric threshold (70).",
    questions: [
      "Why does this matter — what will be different for your users or your team if it goes well?",
      "If you had to pick one focus, which would it be?",
      "By when should this be true?",
    ],
  },
  kr_discovery: {
    goal: "Find 2–5 key results: measurable outcomes, each with a metric, a baseline and a target.",
    exitCriterion: "At least two key results, each with a metric and a numeric target.",
    questions: [
      "How will you know you've achieved the objective — which number would move?",
      "What else would tell you it's working? Think about a second signal, such as retention, quality or satisfaction.",
      "Where does that number stand today, and where should it be by the end of the period?",
    ],
  },
  validation: {
    goal: "Check the set holds together: outcomes not activities, baselines, ambitious but plausible targets, no duplicates.",
    exitCriterion:
      "The set passes the rubric (an objective, 2–5 key results, overall score at least 70 and no item below 60) and the person confirms it is the set they want; then propose the transition to complete.",
    leftOnConfirmation: true,
    questions: [
      "Does each key result describe a result rather than a task?",
      "Is each target a stretch you could still plausibly reach?",
      "If you hit every key result, would the objective be achieved?",
      "Is this the set you want to commit to, or is there another key result to add?",
    ],
  },
  complete: {
    goal: "The OKR set is done: an objective with 2–5 scored key results.",
    exitCriterion: "None; this is the last phase.",
    questions: ["Would you like to revisit anything, or export the set?"],
  },
};

export function nextPhase(phase: Phase): Phase | undefined {
  return phases[phases.indexOf(phase) + 1];
}
