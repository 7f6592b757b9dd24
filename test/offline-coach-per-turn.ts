import { vi } from "vitest";
import { offlineCoach, type AiProvider } from "@coach/core/ai";
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
 */
export async function aiProvider(): Promise<AiProvider> {
  if (config().claude || process.env.SST_Secret_value_ANTHROPIC_API_KEY) {
    const actual = await vi.importActual<typeof import("@coach/functions/shared/ai-provider")>("@coach/functions/shared/ai-provider");
    return actual.aiProvider();
  }
  return offlineCoach(loadSection("offlineCoach", process.env));
}
