// Written by `pnpm flows` from ./index.ts: the turn side of every flow, for the handlers that run turns. Do not edit.
import type { AnyFlowTurn } from "../flow/plugin";
import { turn as okr } from "../okr/turn";
import { turn as chat } from "../chat/turn";
import { turn as questionnaire } from "../questionnaire/turn";

export const flowTurns = { okr, chat, questionnaire } satisfies Record<string, AnyFlowTurn>;
