import { describe, expect, it } from "vitest";
import {
  capabilitiesOf,
  ClaudeConfigError,
  CLAUDE_DEFAULTS,
  DEFAULT_CLAUDE_MODEL,
  EFFORT_LEVELS,
  effortFor,
  loadClaudeConfig,
  MODEL_CAPABILITIES,
  requestParams,
  STRICTEST_FAMILY,
  thinksByDefault,
  type ClaudeConfig,
  type ModelCapabilities,
  type ProviderRequest,
} from "@coach/core/ai";

/**
 * The capability table states each supported model's contract once; the
 * request builder reads it, so what a model rejects is never sent.
 */
const config = (model: string): ClaudeConfig => ({ apiKey: "k", model, maxTokens: 2048, timeoutMs: 5_000, maxRetries: 0, maxRetryWaitMs: 1_000 });

const request = (overrides: Partial<ProviderRequest> = {}): ProviderRequest => ({
  messages: [{ role: "user", content: "Hello" }],
  tools: [{ name: "t", description: "d", inputSchema: { type: "object" } }],
  ...overrides,
});

describe("the model capability table", () => {
  it("has a row for the default model and one for an earlier model that still takes sampling parameters", () => {
    expect(MODEL_CAPABILITIES.map((row) => row.family)).toContain(DEFAULT_CLAUDE_MODEL);
    expect(MODEL_CAPABILITIES.some((row) => row.family !== DEFAULT_CLAUDE_MODEL && row.sampling !== "none")).toBe(true);
    expect(new Set(MODEL_CAPABILITIES.map((row) => row.family)).size).toBe(MODEL_CAPABILITIES.length);
  });

  it.each(MODEL_CAPABILITIES.map((row) => [row.family, row] as const))("%s: a complete, consistent row", (_family, row) => {
    expect(row.thinking.accepted.length).toBeGreaterThan(0);
    if (row.thinking.default === "adaptive") expect(row.thinking.accepted).toContain("adaptive");
    else expect(row.thinking.accepted).toContain("disabled");
    // Effort levels are a subset of the API's, lowest first.
    expect(row.effort).toEqual(EFFORT_LEVELS.filter((level) => row.effort.includes(level)));
    expect(row.maxOutputTokens).toBeGreaterThan(CLAUDE_DEFAULTS.maxTokens);
    expect(row.maxOutputTokens).toBeLessThan(row.contextWindow);
    expect(row.tokenFactor).toBeGreaterThanOrEqual(1);
    for (const price of Object.values(row.pricePerMTok)) expect(price).toBeGreaterThan(0);
    expect(row.pricePerMTok.cacheRead).toBeLessThan(row.pricePerMTok.input);
    expect(row.pricePerMTok.cacheWrite).toBeGreaterThan(row.pricePerMTok.input);
  });

  it("holds the default model to its migration guide: no sampling, prefill, thinking budgets, thinking off or forced tool choice; thinks adaptively by default", () => {
    expect(capabilitiesOf(DEFAULT_CLAUDE_MODEL)).toMatchObject({
      sampling: "none",
      prefill: false,
      thinking: { accepted: ["adaptive"], default: "adaptive" },
      forcedToolChoice: false,
      tokenFactor: 1.3,
    });
  });

  it("gives an unknown model the strictest row: it rejects every setting some row rejects", () => {
    const fallback = capabilitiesOf("claude-someday-9");
    expect(fallback.family).toBe("claude-someday-9");
    const { family: _, ...strictest } = MODEL_CAPABILITIES.find((row) => row.family === STRICTEST_FAMILY)!;
    expect(fallback).toMatchObject(strictest);
    const someRowRejects = (take: (row: ModelCapabilities) => boolean) => MODEL_CAPABILITIES.some((row) => !take(row));
    if (someRowRejects((row) => row.sampling !== "none")) expect(fallback.sampling).toBe("none");
    if (someRowRejects((row) => row.prefill)) expect(fallback.prefill).toBe(false);
    if (someRowRejects((row) => row.forcedToolChoice)) expect(fallback.forcedToolChoice).toBe(false);
  });

  it("finds a row for a model's dated snapshots, and no row for a different model that shares a prefix", () => {
    expect(capabilitiesOf("claude-sonnet-4-6-20260217").family).toBe("claude-sonnet-4-6");
    expect(capabilitiesOf("claude-sonnet-4-6@20260217").family).toBe("claude-sonnet-4-6");
    expect(capabilitiesOf("claude-sonnet-4-6-turbo").family).toBe("claude-sonnet-4-6-turbo");
  });

  it("sends an effort the model takes: the one asked for, else the nearest below, else its lowest; none to a model without effort", () => {
    const sonnet46 = capabilitiesOf("claude-sonnet-4-6");
    expect(effortFor(sonnet46, "medium")).toBe("medium");
    expect(effortFor(sonnet46, "max")).toBe("high");
    expect(effortFor({ ...sonnet46, effort: ["medium", "high"] }, "low")).toBe("medium");
    expect(effortFor(capabilitiesOf("claude-haiku-4-5"), "low")).toBeUndefined();
    expect(effortFor(capabilitiesOf(DEFAULT_CLAUDE_MODEL), "xhigh")).toBe("xhigh");
  });
});

describe("requests built from the table", () => {
  it.each(MODEL_CAPABILITIES.map((row) => [row.family, row] as const))("%s: carries no setting the model rejects", (family, row) => {
    const generation = { temperature: 0.7, topP: 0.9, effort: "max" as const, maxTokens: 300 };
    for (let round = 1; round <= 4; round++) {
      const params = requestParams(config(family), request({ generation }), [{ role: "user", content: "Hello" }], round) as unknown as Record<string, unknown>;
      if (row.sampling === "none") {
        expect(params).not.toHaveProperty("temperature");
        expect(params).not.toHaveProperty("top_p");
      } else {
        // One sampling parameter, not both: temperature wins.
        expect(params.temperature).toBe(0.7);
        expect(params).not.toHaveProperty("top_p");
      }
      expect(params).not.toHaveProperty("top_k");
      // Thinking is left to the model's default: never a budget, never "disabled" on a model that cannot turn it off.
      expect(params).not.toHaveProperty("thinking");
      expect(params.output_config).toEqual(row.effort.length ? { effort: row.effort.at(-1) } : undefined);
      expect(["auto", "none", undefined]).toContain((params.tool_choice as { type?: string } | undefined)?.type);
      expect(params.max_tokens).toBeLessThanOrEqual(row.maxOutputTokens);
    }
  });

  it("gives a thinking model room to think on top of a caller's reply budget, and leaves a configured max_tokens as it is", () => {
    for (const row of MODEL_CAPABILITIES) {
      const asked = requestParams(config(row.family), request({ generation: { maxTokens: 50, effort: "low" } }), [], 1);
      if (thinksByDefault(row)) expect(asked.max_tokens).toBeGreaterThanOrEqual(50 + 1024);
      else expect(asked.max_tokens).toBe(50);
      expect(requestParams(config(row.family), request(), [], 1).max_tokens).toBe(2048);
    }
  });

  it("uses the flow's effort, else ANTHROPIC_EFFORT, else low", () => {
    const model = DEFAULT_CLAUDE_MODEL;
    expect(requestParams(config(model), request(), [], 1).output_config).toEqual({ effort: "low" });
    expect(requestParams({ ...config(model), effort: "high" }, request(), [], 1).output_config).toEqual({ effort: "high" });
    expect(requestParams({ ...config(model), effort: "high" }, request({ generation: { effort: "medium" } }), [], 1).output_config).toEqual({ effort: "medium" });
  });
});

describe("ANTHROPIC_EFFORT", () => {
  it("takes one of the API's effort levels, and is unset by default", () => {
    expect(loadClaudeConfig({ ANTHROPIC_API_KEY: "k" }).effort).toBeUndefined();
    expect(loadClaudeConfig({ ANTHROPIC_API_KEY: "k", ANTHROPIC_EFFORT: " medium " }).effort).toBe("medium");
    expect(() => loadClaudeConfig({ ANTHROPIC_API_KEY: "k", ANTHROPIC_EFFORT: "turbo" })).toThrow(ClaudeConfigError);
    expect(() => loadClaudeConfig({ ANTHROPIC_API_KEY: "k", ANTHROPIC_EFFORT: "turbo" })).toThrow(/ANTHROPIC_EFFORT must be one of low, medium, high, xhigh, max, got "turbo"/);
  });
});
