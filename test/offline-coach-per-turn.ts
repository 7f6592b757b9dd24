import { vi } from "vitest";
import { offlineCoach, type AiProvider, type ProviderEvent, type ProviderRequest } from "@coach/core/ai";
import { config, loadSection } from "@coach/core/config";

/**
 * Test double of `packages/functions/src/shared/ai-provider.ts` for tests
 * that change the offline coach's knobs (OFFLINE_COACH_DELAY_MS,
 * OFFLINE_COACH_FAIL_AFTER, OFFLINE_COACH_TODAY) between turns of one stack:
 * the product reads them once per process; this double reads them from
 * `process.env` on every turn, with the product's own reader and checks.
 * With a Claude key it is the product's provider unchanged. A test file
 * opts in with:
 *
 *   vi.mock("@coach/functions/shared/ai-provider", () => import("<repo>/test/offline-coach-per-turn"));
 *
 * and may then hold replies mid-stream with `replyGate` (below), so that
 * "while a reply streams" is a state the test puts the stack in, not a race
 * against how fast this machine writes a reply.
 */
export async function aiProvider(): Promise<AiProvider> {
  if (config().claude || process.env.SST_Secret_value_ANTHROPIC_API_KEY) {
    const actual = await vi.importActual<typeof import("@coach/functions/shared/ai-provider")>("@coach/functions/shared/ai-provider");
    return actual.aiProvider();
  }
  const coach = offlineCoach(loadSection("offlineCoach", process.env));
  return { ...coach, stream: (request) => recorded(gated(coach.stream(request), request), request) };
}

/** What each offline reply of this process did, in order: a test reads whether a stream was stopped and how far it got. */
export interface StreamRecord {
  deltas: number;
  /** The turn aborted the provider's request (stop, lock lost, a client that went away). */
  aborted: boolean;
  /** Deltas the provider still produced after the abort: must stay 0. */
  deltasAfterAbort: number;
  ended: boolean;
}
export const streams: StreamRecord[] = [];

async function* recorded(events: AsyncIterable<ProviderEvent>, request: ProviderRequest): AsyncIterable<ProviderEvent> {
  const record: StreamRecord = { deltas: 0, aborted: false, deltasAfterAbort: 0, ended: false };
  streams.push(record);
  const onAbort = () => (record.aborted = true);
  request.signal?.addEventListener("abort", onAbort, { once: true });
  if (request.signal?.aborted) record.aborted = true;
  try {
    for await (const event of events) {
      if (event.type === "delta") {
        record.deltas++;
        if (record.aborted) record.deltasAfterAbort++;
      }
      yield event;
    }
  } finally {
    record.ended = true;
    request.signal?.removeEventListener("abort", onAbort);
  }
}

let hold: { afterDeltas: number; opened: Promise<void>; open: () => void } | undefined;

/** Holds every offline reply after a number of deltas until the test opens the gate (or the turn is aborted). */
export const replyGate = {
  /** From now on, each reply pauses once `afterDeltas` deltas are out. */
  holdAfter(afterDeltas: number): void {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    hold = { afterDeltas, opened, open };
  },
  /** Lets held replies (and later ones) run to the end. */
  open(): void {
    hold?.open();
    hold = undefined;
  },
};

async function* gated(events: AsyncIterable<ProviderEvent>, request: ProviderRequest): AsyncIterable<ProviderEvent> {
  let deltas = 0;
  for await (const event of events) {
    const gate = hold;
    if (event.type === "delta" && gate && deltas === gate.afterDeltas) {
      await untilOpenOrAborted(gate.opened, request.signal);
      // The offline coach itself looks at the signal before each delta: so does the held one.
      if (request.signal?.aborted) return;
    }
    if (event.type === "delta") deltas++;
    yield event;
  }
}

function untilOpenOrAborted(opened: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return opened;
  if (signal.aborted) return Promise.resolve();
  return Promise.race([opened, new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }))]);
}
