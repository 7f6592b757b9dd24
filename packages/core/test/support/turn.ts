import type { AiProvider } from "@coach/core/ai";
import { flowTurns } from "@coach/core/flows/turn";
import * as Turn from "@coach/core/turn";

/** A fan-out that tells nobody. */
export const nobody: Turn.Fanout = { send: async () => undefined };

/** The turn's accept as a test calls it: nobody told, the turn kept by the caller (the ticket) unless `ports` say otherwise. */
export function acceptMessage(input: Turn.SendInput, ports: Partial<Turn.AcceptPorts> = {}) {
  return Turn.accept(input, { fanout: nobody, dispatch: async () => undefined, ...ports });
}

/** The turn's run with every registered flow, its events to `sink`. */
export function runTurn(
  ticket: Turn.TurnTicket,
  options: { provider: AiProvider; sink: Turn.Fanout; requestId: string; coalesce?: { maxDelayMs: number; maxBytes: number }; historyWindow?: number },
) {
  const { sink, ...rest } = options;
  return Turn.run(ticket, { ...rest, fanout: sink, flows: flowTurns });
}
