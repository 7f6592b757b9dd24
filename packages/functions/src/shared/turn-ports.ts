import { flowTurns } from "@coach/core/flows/turn";
import type * as Turn from "@coach/core/turn";
import { aiProvider } from "./ai-provider";
import { sessionFanout } from "./connections";

/** What a turn runs with in a function: the deployment's provider, every flow's turn side, the session's connections. */
export async function runPorts(sessionId: string, requestId: string): Promise<Turn.RunPorts> {
  return { provider: await aiProvider(), flows: flowTurns, fanout: sessionFanout(sessionId), requestId };
}
