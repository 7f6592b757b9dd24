import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { summarize, type Summary } from "./stats";

/**
 * Runs in a fresh `node` per sample: the time of `await import(bundle)` alone,
 * i.e. reading, parsing and evaluating the bundle (module-scope code such as
 * SDK clients, schemas, middy chains), not Node's own start-up.
 */
const CHILD_SCRIPT = `
// What Lambda's Node.js runtime puts on globalThis before it loads a handler:
// streaming handlers call awslambda.streamifyResponse at import.
globalThis.awslambda ??= {
  streamifyResponse: (handler) => handler,
  HttpResponseStream: { from: (stream) => stream },
};
const url = process.env.BENCH_IMPORT_URL;
const exportName = process.env.BENCH_IMPORT_EXPORT;
const start = performance.now();
const mod = await import(url);
const ms = performance.now() - start;
process.stdout.write(JSON.stringify({ ms, exported: typeof mod[exportName] }));
`;

/**
 * What SST sets on the functions, with harmless values: the bundles read these
 * at import. Nothing contacts the network at import; the .invalid host could
 * not be resolved anyway. A clean environment, so no NODE_OPTIONS or loader
 * of the parent (tsx) leaks into the measurement.
 */
export const coldImportEnv: Record<string, string> = {
  PATH: process.env.PATH ?? "",
  TABLE_NAME: "coach-bench",
  AWS_REGION: "us-east-1",
  JWT_ISSUER: "https://issuer.bench.invalid",
  JWT_AUDIENCE: "coach-api",
  JWT_JWKS_URI: "https://issuer.bench.invalid/.well-known/jwks.json",
  LOG_LEVEL: "SILENT",
  POWERTOOLS_SERVICE_NAME: "coach-bench",
  POWERTOOLS_METRICS_NAMESPACE: "coach-bench",
};

export interface ColdImportInput {
  key: string;
  file: string;
  exportName: string;
}

export interface ColdImportResult {
  key: string;
  samplesMs: number[];
  summary: Summary;
  /** `typeof` the handler export after import; anything but "function" is a broken bundle. */
  exported: string;
  error?: string;
}

/**
 * `runs` samples per bundle after one discarded warm-up round; rounds are
 * interleaved (every bundle once, then again) so drift on the machine spreads
 * over all bundles instead of biasing the last ones, and every other round
 * runs in reverse order so no bundle (the reference comes first) always
 * takes the same place in a round.
 */
export function measureColdImports(inputs: readonly ColdImportInput[], runs: number, log: (line: string) => void): ColdImportResult[] {
  const results = new Map<string, { samples: number[]; exported: string; error?: string }>(
    inputs.map((input) => [input.key, { samples: [], exported: "?" }]),
  );
  for (let round = 0; round <= runs; round++) {
    log(round === 0 ? `cold import: warm-up round (${inputs.length} bundles)` : `cold import: round ${round}/${runs}`);
    for (const input of round % 2 === 0 ? inputs : [...inputs].reverse()) {
      const entry = results.get(input.key)!;
      if (entry.error) continue;
      const sample = importOnce(input);
      if ("error" in sample) {
        entry.error = sample.error;
        continue;
      }
      entry.exported = sample.exported;
      if (round > 0) entry.samples.push(sample.ms);
    }
  }
  return inputs.map((input) => {
    const entry = results.get(input.key)!;
    return { key: input.key, samplesMs: entry.samples, summary: summarize(entry.samples), exported: entry.exported, ...(entry.error ? { error: entry.error } : {}) };
  });
}

function importOnce(input: ColdImportInput): { ms: number; exported: string } | { error: string } {
  const child = spawnSync(process.execPath, ["--input-type=module", "--eval", CHILD_SCRIPT], {
    env: { ...coldImportEnv, BENCH_IMPORT_URL: pathToFileURL(input.file).href, BENCH_IMPORT_EXPORT: input.exportName },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (child.status !== 0) {
    // A stack trace of a minified bundle quotes whole lines of it: keep the error's own message.
    const output = (child.stderr || child.error?.message || `exit ${child.status}`).trim();
    const message = output.split("\n").find((line) => /\b\w*Error\b/.test(line)) ?? output.split("\n")[0] ?? "";
    return { error: message.slice(0, 300) };
  }
  try {
    const parsed = JSON.parse(child.stdout) as { ms: number; exported: string };
    return { ms: parsed.ms, exported: parsed.exported };
  } catch {
    return { error: `unexpected output: ${child.stdout.slice(0, 200)}` };
  }
}
