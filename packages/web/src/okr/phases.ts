/**
 * The OKR flow's phases in order. Written out here rather than imported
 * from @coach/core, whose runtime (zod schemas and all) must stay out of the
 * bundle; `satisfies` breaks the build if core's list changes.
 */
import type { OkrSet } from "@coach/client";

export const OKR_PHASES = ["discovery", "refinement", "kr_discovery", "validation", "complete"] as const satisfies readonly OkrSet["phase"][];
