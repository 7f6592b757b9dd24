import { offlineCoach, type AiProvider } from "@coach/core/ai";
import { loadSection } from "@coach/core/config";

/**
 * The bench's stand-in for `packages/functions/src/shared/ai-provider.ts`
 * (swapped in by ./per-turn-provider.mjs): the offline coach, with its knobs
 * read from `process.env` on every turn, so one stack runs the route
 * scenarios without delay and the realtime sections paced. The product reads
 * them once per process, as it reads all its configuration.
 */
export async function aiProvider(): Promise<AiProvider> {
  return offlineCoach(loadSection("offlineCoach", process.env));
}
