import { offlineCoach } from "./offline-coach";
import type { AiProvider } from "./provider";

/**
 * The provider for this process, chosen from the environment. The offline
 * coach's fault knobs (OFFLINE_COACH_DELAY_MS, OFFLINE_COACH_FAIL_AFTER)
 * exist for fault tests and demos; they are read per call so a test can
 * change them between turns.
 */
export function selectProvider(env: NodeJS.ProcessEnv = process.env): AiProvider {
  const number = (name: string) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got "${raw}"`);
    return value;
  };
  return offlineCoach({ delayMs: number("OFFLINE_COACH_DELAY_MS"), failAfterDeltas: number("OFFLINE_COACH_FAIL_AFTER") });
}
