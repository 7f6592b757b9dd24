import * as z from "../zod";
import { chat } from "../chat";
import { okr } from "../okr/flow";
import { questionnaire } from "../questionnaire/flow";
import type { AnyFlow } from "../flow/plugin";

/**
 * Every flow a session can run: one line per flow, each a folder that
 * implements the plug-in interface (../flow/plugin). The turn side of each
 * (`<folder>/turn.ts`) is listed in ./turn.ts, which `pnpm flows` writes
 * from this list.
 */
export const flows = {
  okr,
  chat,
  questionnaire,
} satisfies Record<string, AnyFlow>;

export type FlowName = keyof typeof flows;
export const flowNames = Object.keys(flows) as [FlowName, ...FlowName[]];
export const defaultFlow: FlowName = "okr";

/** The flow a new session runs, by name: any registered flow, the OKR coach by default. */
export const SessionFlow = z._default(z.enum(flowNames), defaultFlow);
