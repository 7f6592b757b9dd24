import type { ProviderMessage } from "../../src/ai/provider";
import type { FlowEffect, FlowTurn } from "../../src/flow/plugin";

/**
 * A scripted user — a product manager who wants more people to keep using
 * the app — talking to the offline coach. The tests drive it to a complete,
 * passing OKR set; the README's sample transcript is generated from it.
 */
export const sampleToday = "2026-04-15";

export const sampleUserMessages: readonly string[] = [
  "Hi! I'm a product manager at Habitly, a habit-tracking app. Growth has stalled and I need help setting our OKRs for this quarter.",
  "Mostly I want to grow our weekly active users. Lots of people sign up, try the app for a few days and then drift away.",
  "The real point is that people should build a lasting habit with us. So maybe: make Habitly the app people open every week to keep their habits on track.",
  "Weekly active users is the obvious one. I'd love to reach 18,000 by June 30.",
  "Right now it's about 12,000.",
  "Second one: send 12 weekly progress emails to every new user by the end of June.",
  "Fair — the emails are just a tactic. Let's replace that one: today only 22% of new signups are still active after 4 weeks, and I want that to be 35%.",
  "Great, thanks — that's exactly what I needed.",
];

export interface SampleTurn<Effect = FlowEffect> {
  user: string;
  coach: string;
  /** The phase after the turn. */
  phase: string;
  toolCalls: { name: string; input: unknown; result: string }[];
  effects: Effect[];
}

/**
 * Runs a conversation the way the turn pipeline does, without storage: for
 * each user message the flow's stand-in answers, and its tool calls are
 * applied with `applyTool`, in order, to the state the next turn sees.
 */
export function simulateConversation<State>(
  turn: FlowTurn<State>,
  messages: readonly string[],
  context: { today?: string } = {},
): { turns: SampleTurn[]; state: State } {
  let state = turn.flow.initialState();
  const history: ProviderMessage[] = [];
  const turns: SampleTurn[] = [];
  for (const user of messages) {
    if (!turn.standIn) throw new Error(`The ${turn.flow.name} flow has no stand-in`);
    const reply = turn.standIn(state)({ messages: [...history, { role: "user", content: user }], today: context.today ?? new Date().toISOString().slice(0, 10) });
    const toolCalls: SampleTurn["toolCalls"] = [];
    const effects: FlowEffect[] = [];
    for (const call of reply.toolCalls) {
      const outcome = turn.applyTool(state, call);
      state = outcome.state;
      effects.push(...outcome.effects);
      toolCalls.push({ ...call, result: outcome.result });
    }
    history.push({ role: "user", content: user }, { role: "assistant", content: reply.text });
    turns.push({ user, coach: reply.text, phase: turn.flow.phaseOf(state), toolCalls, effects });
  }
  return { turns, state };
}

/** The turns as Markdown, for the README. */
export function transcriptMarkdown(turns: readonly SampleTurn<unknown>[]): string {
  return turns
    .map((turn, i) => `**User ${i + 1}:** ${turn.user}\n\n**Coach** _(phase: ${turn.phase})_:\n\n${turn.coach.split("\n").map((line) => `> ${line}`).join("\n")}`)
    .join("\n\n");
}
