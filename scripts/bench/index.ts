import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { bundleAll, shippedOptions } from "./bundle";
import { measureColdImports } from "./cold-import";
import { measureRoutes } from "./dynamo-calls";
import { measureEffort, renderEffort, type EffortRow } from "./effort";
import { describeEnvironment } from "./environment";
import { measureRealtime } from "./realtime";
import { renderMarkdown, type BenchResults } from "./report";
import { scenarios } from "./scenarios";
import { progress } from "./stats";
import { manifestTargets } from "./targets";

/**
 * `pnpm bench [--runs N] [--requests N] [--json path]`: bundle size, cold
 * import, DynamoDB calls and local latency of every manifest route and
 * worker, beside a bare reference handler; then the realtime path: delta
 * delivery latency, posts per reply and WebSocket connections held; then time
 * to first token by effort on the stand-in (effort.ts, runnable alone). Markdown report on stdout, progress on stderr, full
 * results as JSON. A benchmark: no thresholds; it exits 1 only when a manifest
 * route has no scenario (or the bench itself breaks).
 */
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const REFERENCE_KEY = "reference";

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  return value;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === "--"));
  const { values } = parseArgs({
    args: argv,
    options: { runs: { type: "string" }, requests: { type: "string" }, json: { type: "string" } },
  });
  // 15 samples per bundle: with 7, a route's median moved by about ±0.05× between two runs on a
  // shared 2-core machine, as much as the gaps the cold-import targets are about.
  const runs = positiveInt("runs", values.runs, 15);
  const requests = positiveInt("requests", values.requests, 30);
  const jsonPath = resolve(values.json ?? join(repoRoot, "bench-results", "bench.json"));
  const started = performance.now();
  const environment = describeEnvironment(repoRoot, runs, requests);

  const targets = manifestTargets();
  const bundleDir = join(repoRoot, "bench-results", "bundles");
  progress(`bundling ${targets.length} route handler(s) + the reference into ${relative(process.cwd(), bundleDir) || "."}`);
  const bundles = await bundleAll(repoRoot, bundleDir, [
    { key: REFERENCE_KEY, modulePath: "scripts/bench/reference-handler", exportName: "handler" },
    ...targets.map((target) => ({ key: target.key, modulePath: target.modulePath, exportName: target.exportName })),
  ]);

  const coldImports = measureColdImports(bundles, runs, progress);
  const { extra: realtime, ...dynamo } = await measureRoutes(targets, scenarios, {
    requests,
    log: progress,
    after: (instruments) =>
      measureRealtime(instruments, { delayMs: 20, replies: 40, parallel: 4, levels: [250, 500, 1000], connectionsBudgetMs: 60_000 }),
  });

  // A few runs are enough: the stand-in's thinking is a fixed wait, and it is most of each run.
  const effort = await measureEffort(Math.min(runs, 3), progress);

  const results: BenchResults & { effort: EffortRow[] } = {
    environment,
    bundleOptions: { ...shippedOptions },
    referenceKey: REFERENCE_KEY,
    bundles,
    coldImports,
    dynamo,
    ...(realtime ? { realtime } : {}),
    effort,
    loadAverageAtEnd: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    durationMs: performance.now() - started,
  };
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  progress(`wrote ${relative(process.cwd(), jsonPath)} in ${(results.durationMs / 1000).toFixed(1)} s`);
  await new Promise<void>((done) => process.stdout.write(`${renderMarkdown(results)}\n${renderEffort(effort)}\n`, () => done()));

  if (dynamo.missingScenarios.length) {
    progress(`FAIL: no scenario for ${dynamo.missingScenarios.join(", ")}: add one in scripts/bench/scenarios.ts`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    progress(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
