import { VisibleError } from "../error";

/**
 * The allowed status changes of each tracking entity, as tables. Staying in
 * the same status is always allowed (it is an update, not a transition);
 * statuses with no way out are terminal.
 */
export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

export const runTransitions = {
  active: ["paused", "stale", "completed", "failed"],
  paused: ["active", "stale", "completed", "failed"],
  // A stale session that speaks again (heartbeat) is active again.
  stale: ["active", "paused", "completed", "failed"],
  completed: [],
  failed: [],
} as const satisfies TransitionTable<"active" | "paused" | "stale" | "completed" | "failed">;

export const taskTransitions = {
  pending: ["in_progress", "blocked", "completed", "failed"],
  in_progress: ["blocked", "completed", "failed"],
  blocked: ["pending", "in_progress", "failed"],
  completed: [],
  // A failed task may be retried; a completed one is done for good.
  failed: ["pending"],
} as const satisfies TransitionTable<"pending" | "in_progress" | "blocked" | "completed" | "failed">;

export const machineTransitions = {
  online: ["draining", "offline"],
  draining: ["online", "offline"],
  offline: ["online"],
} as const satisfies TransitionTable<"online" | "offline" | "draining">;

export function canTransition<S extends string>(table: TransitionTable<S>, from: S, to: S): boolean {
  return from === to || table[from].includes(to);
}

export function isTerminal<S extends string>(table: TransitionTable<S>, status: S): boolean {
  return table[status].length === 0;
}

/** Throws `tracking.invalid_transition` (409) unless `from → to` is allowed. */
export function assertTransition<S extends string>(table: TransitionTable<S>, what: string, from: S, to: S): void {
  if (!canTransition(table, from, to)) {
    const allowed = table[from].length ? `allowed: ${table[from].join(", ")}` : `${from} is final`;
    throw new VisibleError("conflict", "tracking.invalid_transition", `A ${what} cannot go from ${from} to ${to} (${allowed})`);
  }
}
