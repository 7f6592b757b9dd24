import type { ProviderMessage } from "../../ai/provider";
import { VisibleError } from "../../error";
import { MAX_KEY_RESULTS, type DraftUpdate, type KeyResult, type KeyResultUpsert, type OkrDraft } from "../machine/draft";
import { activityIn, composeStatement, confirmsSet, extractKeyResults, extractObjective, extractValues, findNumbers, sentences } from "./extract";
import type { StandInReply } from "../../ai/stand-in";
import type { FlowToolCall } from "../../flow/plugin";

/** Today as YYYY-MM-DD, to turn "by June 30" or "end of the quarter" into dates; without it only explicit dates resolve. */
export interface OfflineContext {
  today?: string;
}
type OfflineReply = StandInReply;
import { canTransition, type OkrEffect, type OkrState } from "../machine/machine";
import { nextPhase, phaseInfo, type Phase } from "../machine/phases";
import { draftSummary } from "../prompts";
import { keyResultCriteria, sameMetric, scoreDraft, scoreObjective, wantsDecrease, weakestReasons, type DraftScore, type ReasonCode } from "../machine/rubric";
import { findTimeframe, resolveDueDate } from "../machine/timeframe";
import { PROPOSE_TRANSITION, UPDATE_DRAFT, applyTool } from "../tools";

/**
 * The offline coach: reads the user's words, proposes draft changes through
 * the same `update_okr_draft` tool a model would call (so they are validated
 * the same way), lets the rubric score the result and the flow move phases,
 * and answers like a coach: what it understood, the draft with its scores,
 * the weakest points with how to fix them, and the phase's next question.
 * It never sends the reply it sent last: a reply that would repeat it asks
 * another question instead.
 */
export function offlineReply(state: OkrState, userMessage: string, history: readonly ProviderMessage[] = [], context: OfflineContext = {}): OfflineReply {
  const plan = planTurn(state, userMessage.trim(), history, context);
  const toolCalls: FlowToolCall[] = [];
  const effects: OkrEffect[] = [];
  const notes = [...plan.notes];
  let next = state;

  if (plan.update) {
    const call = { name: UPDATE_DRAFT, input: plan.update };
    try {
      const outcome = applyTool(next, call);
      toolCalls.push(call);
      next = outcome.state;
      effects.push(...outcome.effects);
    } catch (error) {
      if (!(error instanceof VisibleError)) throw error;
      notes.push(`I couldn't put that into the draft (${error.message.replace(/^Invalid input: /, "")}). Could you say it another way?`);
    }
  }
  if (plan.transition && plan.transition.to !== next.phase) {
    const verdict = canTransition(next, plan.transition.to, "assistant");
    if (verdict.ok) {
      const call = { name: PROPOSE_TRANSITION, input: plan.transition };
      const outcome = applyTool(next, call);
      toolCalls.push(call);
      next = outcome.state;
      effects.push(...outcome.effects);
    } else {
      notes.push(`${plan.transition.to === "complete" ? "Before we settle on this set" : "We can't move on just yet"}: ${lowerFirst(verdict.reason)}`);
    }
  }
  const last = [...history].reverse().find((m) => m.role === "assistant")?.content;
  let text = compose(state, next, effects, notes, history, plan.question, 0);
  for (let variant = 1; text === last && variant <= 3; variant++) text = compose(state, next, effects, notes, history, plan.question, variant);
  return { text, toolCalls };
}

interface Plan {
  update?: DraftUpdate;
  transition?: { to: Phase; reason: string };
  notes: string[];
  /** A question that fits better than the phase's default. */
  question?: string;
}

function planTurn(state: OkrState, message: string, history: readonly ProviderMessage[], context: OfflineContext): Plan {
  const objectiveTalk = state.phase === "discovery" || state.phase === "refinement" || /\bobjective\b/i.test(message);
  const plan = objectiveTalk ? planObjective(state, message, history) : planKeyResults(state, message, context);
  const transition = transitionIntent(state, message) ?? confirmation(state, message, plan);
  if (transition && !plan.update) plan.notes = [];
  return transition ? { ...plan, transition } : plan;
}

const phaseWords: readonly [RegExp, Phase][] = [
  [/\bobjective\b/i, "refinement"],
  [/\b(key results?|krs?)\b/i, "kr_discovery"],
  [/\bvalidat/i, "validation"],
  [/\b(discovery|start|beginning)\b/i, "discovery"],
];

function transitionIntent(state: OkrState, message: string): Plan["transition"] {
  const back = /\b(?:go|get|move|jump|head)\s+back\s+to\s+(.+)/i.exec(message);
  if (back?.[1]) {
    const to = phaseWords.find(([pattern]) => pattern.test(back[1]!))?.[1];
    if (to && to !== state.phase) return { to, reason: "The user asked to go back." };
  }
  if (/\b(?:move on|next step|next phase|let's continue|skip ahead)\b/i.test(message)) {
    const to = nextPhase(state.phase);
    if (to) return { to, reason: "The user asked to move on." };
  }
  return undefined;
}

/** The person accepts the set: in validation, or while adding the last key results ("… That's the set."). */
function confirmation(state: OkrState, message: string, plan: Plan): Plan["transition"] {
  const addsKeyResults = (plan.update?.upsertKeyResults?.length ?? 0) > 0;
  if (state.phase !== "validation" && !(state.phase === "kr_discovery" && addsKeyResults)) return undefined;
  return confirmsSet(message) ? { to: "complete", reason: "The user confirmed the set." } : undefined;
}

function planObjective(state: OkrState, message: string, history: readonly ProviderMessage[]): Plan {
  const current = state.draft.objective;
  const candidate = extractObjective(message);
  const spoken = [...history.filter((m) => m.role === "user").map((m) => m.content), message];
  const timeframe = candidate?.timeframe ?? current?.timeframe ?? spoken.map(findTimeframe).filter(Boolean).at(-1);
  if (candidate && candidate.statement !== current?.statement) {
    const objective = { statement: candidate.statement, ...(timeframe ? { timeframe } : {}) };
    const when = timeframe ? ` (${timeframe})` : "";
    // Numbers said while refining ("we're at 12,000, I'd love 18,000") are key-result material; they must not
    // replace a better objective unless the user says it is the objective they want.
    const asked = /\bobjective\b/i.test(message);
    const scored = scoreObjective(objective);
    const measurable = scored.reasons.some((r) => r.code === "objective.has_numbers" || r.code === "objective.is_metric");
    if (current && !asked && measurable && scored.score < scoreObjective(current).score) {
      return {
        notes: [`That sounds like something to measure — it will make a good key result once the objective is settled. I've kept the objective as “${current.statement}”.`],
      };
    }
    const note = current
      ? `That's a clearer direction. I've updated the objective to “${objective.statement}”${when}.`
      : `Thanks — that gives us a starting point. I've drafted your objective as “${objective.statement}”${when}.`;
    return { update: { objective }, notes: [note] };
  }
  const newTimeframe = findTimeframe(message);
  if (current && newTimeframe && newTimeframe !== current.timeframe) {
    return { update: { objective: { ...current, timeframe: newTimeframe } }, notes: [`Got it — I've set the timeframe to ${newTimeframe}.`] };
  }
  if (state.phase === "discovery") return { notes: history.some((m) => m.role === "assistant") ? ["Thanks, that's useful context."] : [] };
  return { notes: ["I didn't catch a new version of the objective in that."] };
}

function planKeyResults(state: OkrState, message: string, context: OfflineContext): Plan {
  const { draft } = state;
  const score = scoreDraft(draft);
  const objective = draft.objective;
  const defaultDueDate = objective ? resolveDueDate(`${objective.timeframe ?? ""} ${objective.statement}`, context.today) : undefined;
  const focus = focusKeyResult(draft, score);
  const removal = /\b(?:remove|drop|delete)\s+kr\s?(\d)\b/i.exec(message);
  const named = /\bkr\s?(\d)\b/i.exec(message.replace(removal?.[0] ?? "\u0000", ""));
  const namedId = named && draft.keyResults.some((kr) => kr.id === `kr${named[1]}`) ? `kr${named[1]}` : undefined;
  const replacing = /\b(?:replace|instead|swap)\b/i.test(message);

  const notes: string[] = [];
  const upserts: KeyResultUpsert[] = [];
  const removeKeyResults: string[] = [];
  if (removal?.[1] && draft.keyResults.some((kr) => kr.id === `kr${removal[1]}`)) {
    removeKeyResults.push(`kr${removal[1]}`);
    notes.push(`Done — I've removed KR${removal[1]}.`);
  }

  let count = draft.keyResults.length - removeKeyResults.length;
  for (const [index, candidate] of extractKeyResults(message, { today: context.today, ...(defaultDueDate ? { defaultDueDate } : {}) }).entries()) {
    const fields = { statement: candidate.statement, metric: candidate.metric, baseline: candidate.baseline ?? null, target: candidate.target ?? null, unit: candidate.unit ?? null, dueDate: candidate.dueDate ?? null };
    const replaceId = index === 0 ? (namedId ?? (replacing ? focus?.id : undefined)) : undefined;
    const twin = draft.keyResults.find((kr) => kr.id !== replaceId && sameMetric(kr.metric, candidate.metric) && !removeKeyResults.includes(kr.id));
    if (replaceId) {
      upserts.push({ id: replaceId, ...fields });
      notes.push(`Good call. I've replaced ${replaceId.toUpperCase()} with “${candidate.statement}”.`);
    } else if (twin) {
      upserts.push({ id: twin.id, ...refreshed(twin, candidate) });
      notes.push(`Got it — I've updated ${twin.id.toUpperCase()}.`);
    } else if (count < MAX_KEY_RESULTS) {
      const { statement, metric } = candidate;
      upserts.push({ statement, metric, ...(candidate.baseline !== undefined ? { baseline: candidate.baseline } : {}), ...(candidate.target !== undefined ? { target: candidate.target } : {}), ...(candidate.unit ? { unit: candidate.unit } : {}), ...(candidate.dueDate ? { dueDate: candidate.dueDate } : {}) });
      count++;
      notes.push(count === 1 ? `Great, that's a first key result: I've added “${candidate.statement}”.` : `Good — I've added “${candidate.statement}”.`);
    } else {
      notes.push(`You already have ${MAX_KEY_RESULTS} key results, the most a set should have; say which one to replace or remove.`);
    }
  }

  if (upserts.length === 0) {
    const values = extractValues(message);
    const fill = namedId ? draft.keyResults.find((kr) => kr.id === namedId) : draft.keyResults.find((kr) => kr.baseline === undefined || kr.target === undefined) ?? focus;
    if (fill && findNumbers(message).length > 0 && (values.baseline !== undefined || values.target !== undefined)) {
      const change = fillValues(fill, values);
      if (change) {
        upserts.push(change);
        notes.push(`Thanks — I've updated ${fill.id.toUpperCase()}: “${change.statement ?? fill.statement}”.`);
      }
    } else {
      const activity = sentences(message).map(activityIn).find(Boolean);
      if (activity) {
        const advice = keyResultCriteria.find((c) => c.code === "kr.activity_not_outcome")!.suggestion;
        notes.push(`“${capitalize(activity)}” sounds like a useful initiative, but it's an activity — something you'll do, not the result you're after. ${advice}`);
        return { notes, question: "If that works, which number will move — and where is it today?" };
      }
      if (removeKeyResults.length === 0) {
        notes.push(state.phase === "complete" ? "You're welcome — it's a strong set. Good luck with it!" : "I didn't spot a metric or a number in that, so the draft stays as it is.");
      }
    }
  }

  const update: DraftUpdate = {
    ...(upserts.length ? { upsertKeyResults: upserts } : {}),
    ...(removeKeyResults.length ? { removeKeyResults } : {}),
  };
  return Object.keys(update).length ? { update, notes } : { notes };
}

/** The key result to work on next: the lowest-scoring one, first in order on a tie. */
function focusKeyResult(draft: OkrDraft, score: DraftScore): KeyResult | undefined {
  const weakest = [...score.keyResults].sort((a, b) => a.score - b.score)[0];
  return weakest && weakest.score < 100 ? draft.keyResults.find((kr) => kr.id === weakest.id) : undefined;
}

const coachWrote = (kr: KeyResult) => kr.statement === composeStatement({ ...kr, decrease: wantsDecrease(kr.statement) });

/** A new version of `kr` with the candidate's numbers, keeping what the candidate does not say. */
function refreshed(kr: KeyResult, candidate: { baseline?: number; target?: number; unit?: string; dueDate?: string }): KeyResultUpsert {
  const merged = {
    ...kr,
    ...(candidate.baseline !== undefined ? { baseline: candidate.baseline } : {}),
    ...(candidate.target !== undefined ? { target: candidate.target } : {}),
    ...(candidate.unit ? { unit: candidate.unit } : {}),
    ...(candidate.dueDate ? { dueDate: candidate.dueDate } : {}),
  };
  const { id: _, ...fields } = merged;
  return coachWrote(kr) ? { ...fields, statement: composeStatement({ ...merged, decrease: wantsDecrease(kr.statement) }) } : fields;
}

function fillValues(kr: KeyResult, values: { baseline?: number; target?: number; unit?: string }): KeyResultUpsert | undefined {
  const numbers = [values.baseline, values.target].filter((v): v is number => v !== undefined);
  let { baseline, target } = values;
  if (numbers.length === 1 && baseline === undefined && kr.target !== undefined && kr.baseline === undefined) [baseline, target] = [target, undefined];
  const change = refreshed(kr, { ...(baseline !== undefined ? { baseline } : {}), ...(target !== undefined ? { target } : {}), ...(values.unit && !kr.unit ? { unit: values.unit } : {}) });
  return { id: kr.id, ...change };
}

/** `variant` > 0 asks another of the fitting questions, so a reply never repeats the one before it word for word. */
function compose(
  before: OkrState,
  after: OkrState,
  effects: readonly OkrEffect[],
  notes: readonly string[],
  history: readonly ProviderMessage[],
  question: string | undefined,
  variant: number,
): string {
  const score = scoreDraft(after.draft);
  const parts: string[] = [];
  if (!history.some((m) => m.role === "assistant") && before.phase === "discovery") {
    parts.push("Hi, I'm your OKR coach. We'll shape one objective — the outcome you want — and then two to five key results that show you got there.");
  }
  const lastMove = effects.filter((e) => e.type === "phase_transition").at(-1);
  const shown = effects.filter((e) => !(e.type === "phase_transition" && e.by === "rule") || e === lastMove);
  const lines = [...notes, ...shown.map((effect) => transitionLine(effect, after, score))];
  if (lines.length) parts.push(lines.join(" "));
  if (after.draft.objective || after.draft.keyResults.length) {
    parts.push(`${after.phase === "complete" ? "Here's your OKR set:" : "Here's the draft so far:"}\n${draftSummary(after.draft, score)}`);
  }
  const weak = weakPoints(after, score);
  if (weak.length) parts.push(`${after.phase === "complete" ? "If you want to polish it further:" : "To make it stronger:"}\n${weak.map((w) => `- ${w}`).join("\n")}`);
  const fitting = questionOptions(after, score, history);
  const options = [...new Set(question && !effects.some((e) => e.type === "phase_transition") ? [question, ...fitting] : fitting)];
  const chosen = options[variant % options.length]!;
  parts.push(variant >= options.length ? `Let me put it another way: ${lowerFirst(chosen)}` : chosen);
  return parts.join("\n\n");
}

function transitionLine(effect: OkrEffect, after: OkrState, score: DraftScore): string {
  if (effect.type === "transition_rejected") return `We can't move to ${label(effect.to)} yet: ${lowerFirst(effect.reason)}`;
  if (effect.to === "complete") return `The whole set passes the rubric with ${score.overall}/100 — your OKRs are complete!`;
  if (effect.by !== "rule") return `OK — let's ${isForward(effect.from, effect.to) ? "move on" : "go back"} to ${label(effect.to)}.`;
  switch (effect.to) {
    case "refinement":
      return "Now let's sharpen it.";
    case "kr_discovery":
      return `The objective scores ${score.objective.score}/100, which clears the bar — now let's make it measurable.`;
    case "validation":
      if (effect.from === "complete") return "That change means the set no longer passes the rubric, so we're back to validating it.";
      return score.passes
        ? `With ${after.draft.keyResults.length} measurable key results, the set passes the rubric with ${score.overall}/100.`
        : `With ${after.draft.keyResults.length} measurable key results, let's check the set holds together.`;
    default:
      return `We're now in ${label(effect.to)}.`;
  }
}

const order: readonly string[] = ["discovery", "refinement", "kr_discovery", "validation", "complete"];
const isForward = (from: string, to: string) => order.indexOf(to) > order.indexOf(from);
const label = (phase: string) =>
  ({ discovery: "discovery", refinement: "the objective", kr_discovery: "the key results", validation: "validation", complete: "the finished set" })[phase] ?? phase;

function weakPoints(state: OkrState, score: DraftScore): string[] {
  const relevant = weakestReasons(score).filter((r) => {
    if (r.code === "objective.missing") return false;
    if (state.phase === "discovery" || state.phase === "refinement") return r.item === "objective";
    return true;
  });
  const limit = state.phase === "complete" ? 1 : 2;
  return relevant.slice(0, limit).map((r) => `${r.message.replace(/\bkr(\d)\b/g, "KR$1")} ${r.suggestion}`);
}

const questionFor: Partial<Record<ReasonCode, (kr?: KeyResult) => string>> = {
  "objective.is_metric": () => "What would that number mean for your users — what changes for them if it goes well?",
  "objective.has_numbers": () => "Can you say it without the numbers? We'll keep those for the key results.",
  "objective.vague": () => "Who benefits, and what concretely gets better for them?",
  "objective.not_inspiring": () => "How would you say it so your team feels the ambition — what do you want to make or become?",
  "objective.multiple_focus": () => "If you had to pick one of those, which matters most this period?",
  "objective.not_time_bound": () => "By when should this be true — this quarter, or a specific date?",
  "kr.not_measurable": (kr) => `Where should ${kr?.metric ?? "that number"} be by the end of the period?`,
  "kr.no_baseline": (kr) => `What's today's number for ${kr?.metric ?? "that metric"}? An estimate is fine.`,
  "kr.activity_not_outcome": (kr) => `What result should ${kr ? kr.id.toUpperCase() : "that work"} change instead, and how would you measure it?`,
  "kr.implausible": () => "Is that target realistic? What would a stretch you could still reach look like?",
  "kr.unambitious": () => "Could you stretch that target — what would feel uncomfortable but possible?",
  "kr.duplicate": () => "Should we merge those two, or measure a different signal?",
  "kr.wrong_direction": () => "Did you mean the other direction — are baseline and target swapped?",
  "kr.no_change": () => "Where should it be instead of where it is today?",
};

/** The questions that fit the state, best first: the first is asked, the others when it would repeat the last reply. */
function questionOptions(state: OkrState, score: DraftScore, history: readonly ProviderMessage[]): string[] {
  const asked = history.filter((m) => m.role === "assistant").length;
  const questions = phaseInfo[state.phase].questions;
  const rotated = questions.map((_, i) => questions[(asked + i) % questions.length]!);
  return [nextQuestion(state, score, history), ...rotated];
}

function confirmationQuestion(draft: OkrDraft): string {
  const more = draft.keyResults.length < MAX_KEY_RESULTS ? `give me another key result (up to ${MAX_KEY_RESULTS})` : "tell me which one to change";
  return `Is this the set you want to commit to? Say “that's the set” and we're done — or, if you have more in mind, ${more}.`;
}

function nextQuestion(state: OkrState, score: DraftScore, history: readonly ProviderMessage[]): string {
  const { phase, draft } = state;
  const asked = history.filter((m) => m.role === "assistant").length;
  const questions = phaseInfo[phase].questions;
  if (phase === "complete") return "You can export the set now, or tell me what you'd like to revisit — for example “go back to the key results”.";
  if (phase === "discovery") return questions[asked % questions.length]!;
  if (phase === "validation" && score.passes) return confirmationQuestion(draft);
  const top = weakestReasons(score).find((r) => r.code !== "objective.missing" && (phase !== "refinement" || r.item === "objective"));
  if (phase === "kr_discovery") {
    const missing = draft.keyResults.find((kr) => kr.target === undefined) ?? draft.keyResults.find((kr) => kr.baseline === undefined);
    if (missing) return questionFor[missing.target === undefined ? "kr.not_measurable" : "kr.no_baseline"]!(missing);
    if (draft.keyResults.length < 2) return questions[Math.min(draft.keyResults.length, 1)]!;
  }
  if (top) {
    const kr = draft.keyResults.find((k) => k.id === top.item);
    const ask = questionFor[top.code];
    if (ask) return ask(kr);
  }
  if (phase === "refinement") return "What would you like to change about the objective? Tell me the new wording.";
  return questions[asked % questions.length]!;
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);
