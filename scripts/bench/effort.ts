import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { claudeProvider, DEFAULT_CLAUDE_MODEL, MODEL_CAPABILITIES, thinksByDefault, type Effort } from "@coach/core/ai";
import { modelReply, startFakeAnthropic } from "../../packages/core/test/support/fake-anthropic";
import { progress, summarize, type Summary } from "./stats";

/**
 * Time to first token by effort, on the stand-in: the real SDK and our Claude
 * adapter against the fake Messages API, which thinks for an ASSUMED time
 * per effort level before its first text. What is measured is our side: when
 * the thinking indicator can go out, and how far the first text lands behind
 * the stand-in's thinking. The effort's own cost on the real model is not
 * measured here; measure it on a stage with a real key.
 */

/** Assumed thinking time of the stand-in before its first text, per effort (not Anthropic's numbers). */
export const STAND_IN_THINKING_MS: Partial<Record<Effort, number>> = { low: 300, medium: 900, high: 2_000 };

export interface EffortRow {
  model: string;
  effort: Effort;
  thinks: boolean;
  assumedThinkingMs: number;
  /** Request sent → the adapter reports thinking (the `typing_indicator` stage "thinking" goes out then). */
  toThinking?: Summary;
  /** Request sent → first text delta (what TimeToFirstToken records). */
  toFirstText: Summary;
  /** toFirstText minus the assumed thinking: the adapter's and the SDK's own share. */
  overhead: Summary;
}

export async function measureEffort(runs: number, log: (line: string) => void = progress): Promise<EffortRow[]> {
  const fake = await startFakeAnthropic({ thinkingMs: STAND_IN_THINKING_MS });
  const rows: EffortRow[] = [];
  try {
    const control = MODEL_CAPABILITIES.find((row) => !thinksByDefault(row) && row.effort.length > 0);
    const cases: { model: string; effort: Effort }[] = [
      ...(Object.keys(STAND_IN_THINKING_MS) as Effort[]).map((effort) => ({ model: DEFAULT_CLAUDE_MODEL, effort })),
      ...(control ? [{ model: control.family, effort: "low" as const }] : []),
    ];
    for (const { model, effort } of cases) {
      const provider = claudeProvider({ apiKey: "bench", model, maxTokens: 2048, timeoutMs: 30_000, maxRetries: 0, baseURL: fake.url, maxRetryWaitMs: 1_000 });
      const thinks = thinksByDefault(MODEL_CAPABILITIES.find((row) => row.family === model)!);
      const assumed = thinks ? (STAND_IN_THINKING_MS[effort] ?? 0) : 0;
      const toThinking: number[] = [];
      const toFirstText: number[] = [];
      log(`effort: ${model} at ${effort}, ${runs} run(s)`);
      for (let run = 0; run < runs + 1; run++) {
        fake.enqueue(modelReply(["Let's ", "start ", "with ", "what ", "matters."]));
        const started = performance.now();
        let thinkingAt: number | undefined;
        let textAt: number | undefined;
        for await (const event of provider.stream({ messages: [{ role: "user", content: "Help me plan the quarter" }], generation: { effort } })) {
          if (event.type === "thinking") thinkingAt ??= performance.now() - started;
          if (event.type === "delta") textAt ??= performance.now() - started;
        }
        if (fake.rejections.length) throw new Error(`the stand-in refused a request: ${fake.rejections[0]!.message}`);
        // The first run warms the SDK's connection and module paths; it is not counted.
        if (run === 0) continue;
        if (thinkingAt !== undefined) toThinking.push(thinkingAt);
        toFirstText.push(textAt ?? Number.NaN);
      }
      rows.push({
        model,
        effort,
        thinks,
        assumedThinkingMs: assumed,
        ...(toThinking.length ? { toThinking: summarize(toThinking) } : {}),
        toFirstText: summarize(toFirstText),
        overhead: summarize(toFirstText.map((ms) => ms - assumed)),
      });
    }
  } finally {
    await fake.close();
  }
  return rows;
}

export function renderEffort(rows: EffortRow[]): string {
  const ms = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "–" : n.toFixed(1));
  return [
    "## Effort and time to first token (stand-in)",
    "",
    "The Claude adapter and the real SDK against the fake Messages API, which thinks for an **assumed** time per effort " +
      `(${Object.entries(STAND_IN_THINKING_MS)
        .map(([effort, time]) => `${effort} ${time} ms`)
        .join(", ")}) before its first text. ` +
      "The thinking column is what the model's effort costs *if* the real model thinks that long; only the other columns are measurements of this code. " +
      "Time to first token is to the first *text* delta. Medians (p90) in ms.",
    "",
    "| Model | Effort | Thinks | Assumed thinking | To thinking indicator | To first text | Overhead over thinking |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ...rows.map(
      (row) =>
        `| \`${row.model}\` | ${row.effort} | ${row.thinks ? "yes" : "no"} | ${row.assumedThinkingMs} | ${row.toThinking ? `${ms(row.toThinking.median)} (${ms(row.toThinking.p90)})` : "–"} | ${ms(row.toFirstText.median)} (${ms(row.toFirstText.p90)}) | ${ms(row.overhead.median)} (${ms(row.overhead.p90)}) |`,
    ),
    "",
  ].join("\n");
}

// `pnpm tsx scripts/bench/effort.ts [--runs N]` runs this section alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ args: process.argv.slice(2).filter((arg) => arg !== "--"), options: { runs: { type: "string" } } });
  const runs = Number(values.runs ?? 5);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got "${values.runs}"`);
  measureEffort(runs).then(
    (rows) => process.stdout.write(`${renderEffort(rows)}\n`),
    (error: unknown) => {
      progress(`effort bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    },
  );
}
