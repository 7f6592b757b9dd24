import { EFFORT_LEVELS, type Effort, type ModelContract } from "./provider";

/**
 * The Claude models this deployment knows, one row per family: what each
 * request setting may be, its limits and its prices. Requests are built from
 * the row of the configured model, so nothing the model rejects is sent; the
 * fake Messages API of the tests enforces the same rows.
 */

export type ThinkingMode = "adaptive" | "enabled" | "disabled";

export interface ModelCapabilities extends ModelContract {
  /** The model id; its dated snapshots (`-YYYYMMDD`, `@YYYYMMDD`) share the row. */
  family: string;
  thinking: {
    /** The `thinking.type` values the model takes. */
    accepted: readonly ThinkingMode[];
    /** What the model does when `thinking` is left out. */
    default: "adaptive" | "off";
  };
  /** `output_config.effort` levels the model takes, lowest first; empty: no effort setting. */
  effort: readonly Effort[];
  /** Whether `tool_choice` may force a tool (`any`, `tool`). */
  forcedToolChoice: boolean;
  contextWindow: number;
  /** Largest `max_tokens` (thinking and text together). */
  maxOutputTokens: number;
  /** Tokens the model counts for a text, relative to Claude Sonnet 4.6's tokenizer. */
  tokenFactor: number;
  /** US dollars per million tokens. */
  pricePerMTok: { input: number; output: number; cacheRead: number; cacheWrite: number };
}

const SONNET_PRICES = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };

export const MODEL_CAPABILITIES: readonly ModelCapabilities[] = [
  {
    // Per its migration guide: non-default sampling, thinking budgets, thinking off, prefill and forced tool choice answer 400.
    family: "claude-sonnet-5-5",
    sampling: "none",
    prefill: false,
    thinking: { accepted: ["adaptive"], default: "adaptive" },
    effort: ["low", "medium", "high", "xhigh", "max"],
    forcedToolChoice: false,
    contextWindow: 1_000_000,
    maxOutputTokens: 128_000,
    tokenFactor: 1.3,
    pricePerMTok: SONNET_PRICES,
  },
  {
    family: "claude-sonnet-4-6",
    sampling: "one",
    prefill: false,
    thinking: { accepted: ["adaptive", "enabled", "disabled"], default: "off" },
    effort: ["low", "medium", "high"],
    forcedToolChoice: true,
    contextWindow: 1_000_000,
    maxOutputTokens: 64_000,
    tokenFactor: 1,
    pricePerMTok: SONNET_PRICES,
  },
  {
    family: "claude-haiku-4-5",
    sampling: "one",
    prefill: true,
    thinking: { accepted: ["enabled", "disabled"], default: "off" },
    effort: [],
    forcedToolChoice: true,
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    tokenFactor: 1,
    pricePerMTok: { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  },
];

/** The row an unknown model is held to: it takes the fewest settings (the test of the table checks it is the strictest). */
export const STRICTEST_FAMILY = "claude-sonnet-5-5";

/** The row of `model` or one of its dated snapshots, if the table has it. */
export function knownCapabilities(model: string): ModelCapabilities | undefined {
  return MODEL_CAPABILITIES.find((r) => model === r.family || new RegExp(`^${r.family}[-@]\\d{8}$`).test(model));
}

/** The row of `model`; an unknown model gets the strictest row, under its own id. */
export function capabilitiesOf(model: string): ModelCapabilities {
  const row = knownCapabilities(model);
  if (row) return row;
  return { ...MODEL_CAPABILITIES.find((r) => r.family === STRICTEST_FAMILY)!, family: model };
}

/** Whether a request that leaves `thinking` out, as ours do, makes the model think. */
export const thinksByDefault = (row: ModelCapabilities) => row.thinking.default === "adaptive";

/** The level to send for a wanted effort: it if the model takes it, else the nearest it takes below, else its lowest; none if it takes no effort. */
export function effortFor(row: ModelCapabilities, wanted: Effort): Effort | undefined {
  if (row.effort.length === 0) return undefined;
  if (row.effort.includes(wanted)) return wanted;
  const below = EFFORT_LEVELS.slice(0, EFFORT_LEVELS.indexOf(wanted)).filter((level) => row.effort.includes(level));
  return below.at(-1) ?? row.effort[0];
}
