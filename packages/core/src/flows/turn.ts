// Written by `pnpm flows` from ./index.ts: the turn side of every flow, for the handlers that run turns. Do not edit.
import type { FlowTurnLoaders } from "../flow/plugin";

/** Each flow's turn side, loaded when a session of that flow first runs a turn. */
export const flowTurns = {
  okr: () => import("../okr/turn").then((module) => module.turn),
  chat: () => import("../chat/turn").then((module) => module.turn),
  questionnaire: () => import("../questionnaire/turn").then((module) => module.turn),
} satisfies FlowTurnLoaders;
