import type { BundleResult } from "./bundle";
import type { ColdImportResult } from "./cold-import";
import type { DynamoRun } from "./dynamo-calls";
import type { Environment } from "./environment";

export interface BenchResults {
  environment: Environment;
  bundleOptions: Record<string, unknown>;
  referenceKey: string;
  bundles: BundleResult[];
  coldImports: ColdImportResult[];
  dynamo: DynamoRun;
  durationMs: number;
}

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const kib = (bytes: number) => (bytes / 1024).toFixed(1);
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "–");
const ratio = (value: number, reference: number) => (Number.isFinite(value) && reference > 0 ? `${(value / reference).toFixed(2)}×` : "–");
const code = (text: string) => `\`${text}\``;
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function table(header: string[], rows: string[][], align?: ("l" | "r")[]): string {
  const sep = header.map((_, i) => (align?.[i] === "r" ? "---:" : "---"));
  return [header, sep, ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n");
}

export function renderMarkdown(results: BenchResults): string {
  const { environment: env, referenceKey, dynamo } = results;
  const reference = results.bundles.find((bundle) => bundle.key === referenceKey)!;
  const referenceCold = results.coldImports.find((entry) => entry.key === referenceKey)!;
  const label = (key: string) => (key === referenceKey ? "**reference** (middy + zod + DocumentClient)" : code(key));
  const out: string[] = [];

  out.push(`# Backend bench — ${env.date}`, "");
  out.push(
    table(
      ["Environment", ""],
      [
        ["Node", `${env.node} (bundles target node22, as deployed on nodejs22.x)`],
        ["CPU", `${env.cpuModel}, ${env.cores} cores, ${env.memoryGiB} GiB`],
        ["OS", env.platform],
        ["esbuild", env.esbuild],
        ["Java (DynamoDB Local)", env.java],
        ["Commit", env.commit],
        ["Cold-import runs", `${env.runs} per bundle (+1 discarded warm-up round, rounds interleaved)`],
        ["Latency requests", `${env.requests} per route (after 1 counted first request)`],
        ["Total duration", `${(results.durationMs / 1000).toFixed(1)} s`],
      ],
    ),
    "",
  );

  out.push("## Bundle size", "");
  out.push(
    `Bundled as shipped to Lambda: esbuild ${code("bundle, minify, keepNames, platform=node, target=node22, format=esm, mainFields=module,main")}, ` +
      `createRequire banner for CJS dependencies. **No externals: everything, including the AWS SDK, is in the bundle.** ` +
      `No sourcemap (SST writes it beside the bundle; it is not loaded). gzip is level 9. Ratios are against the reference handler.`,
    "",
  );
  out.push(
    table(
      ["Route", "Handler", "Bytes", "KiB", "gzip KiB", "× ref"],
      results.bundles.map((bundle) => [
        label(bundle.key),
        code(`${bundle.modulePath}.${bundle.exportName}`),
        int(bundle.bytes),
        kib(bundle.bytes),
        kib(bundle.gzipBytes),
        bundle.key === referenceKey ? "1.00×" : ratio(bundle.bytes, reference.bytes),
      ]),
      ["l", "l", "r", "r", "r", "r"],
    ),
    "",
  );

  const routeBundles = results.bundles.filter((bundle) => bundle.key !== referenceKey);
  const largest = [...routeBundles].sort((a, b) => b.bytes - a.bytes)[0];
  if (largest) {
    const refBytes = new Map(reference.contributors.map((entry) => [entry.name, entry.bytes]));
    out.push(`What the bytes are: the largest route bundle (${code(largest.key)}) by package, beside the reference.`, "");
    out.push(
      table(
        ["Package", "KiB in route bundle", "KiB in reference"],
        largest.contributors.slice(0, 10).map((entry) => [code(entry.name), kib(entry.bytes), refBytes.has(entry.name) ? kib(refBytes.get(entry.name)!) : "–"]),
        ["l", "r", "r"],
      ),
      "",
    );
  }

  out.push("## Cold import", "");
  out.push(
    `${code("await import(bundle)")} in a fresh ${code("node")} process, timed with ${code("performance.now()")} around the import only ` +
      `(reading, parsing and evaluating the bundle's module scope; not Node's own start-up, not Lambda's INIT). ` +
      `Node ${env.node} on this machine, not Lambda: compare the ratios, not the milliseconds. ` +
      `On a busy machine the median moves with background load; the min is the least disturbed sample, so its ratio is the steadier one.`,
    "",
  );
  out.push(
    table(
      ["Route", "Median ms", "Min ms", "Max ms", "× ref (median)", "× ref (min)", "Note"],
      results.coldImports.map((entry) => [
        label(entry.key),
        ms(entry.summary.median),
        ms(entry.summary.min),
        ms(entry.summary.max),
        entry.key === referenceKey ? "1.00×" : ratio(entry.summary.median, referenceCold.summary.median),
        entry.key === referenceKey ? "1.00×" : ratio(entry.summary.min, referenceCold.summary.min),
        entry.error ? `**import failed:** ${cell(entry.error)}` : entry.exported !== "function" ? `**export is ${entry.exported}, not a function**` : "",
      ]),
      ["l", "r", "r", "r", "r", "r", "l"],
    ),
    "",
  );

  out.push("## DynamoDB calls per route", "");
  out.push(
    `Counted by core's SDK middleware (${code("dynamoCallCounts()")}) around one representative request per route through the local REST emulation ` +
      `(handlers run in-process from source), against DynamoDB Local in memory; set-up for the request is not counted. ` +
      `"Calls vary between requests" would mean the ${env.requests} further requests did not all make the same calls as the first.`,
    "",
  );
  out.push(
    table(
      ["Route", "Scenario", "Status", "Calls", "Total", "Note"],
      dynamo.routes.map((route) => {
        if (!route.scenario) return [code(route.key), "**no scenario**", "–", "–", "–", "**add one in scripts/bench/scenarios.ts**"];
        if (route.error) return [code(route.key), route.scenario, "–", "–", "–", `**error:** ${cell(route.error)}`];
        const notes: string[] = [];
        if (route.status !== route.expectStatus) notes.push(`**expected ${route.expectStatus}**`);
        if (route.statuses && route.statuses.length > 1) notes.push(`statuses seen: ${route.statuses.join(", ")}`);
        if (route.stableCalls === false) notes.push("**calls vary between requests**");
        if (route.notGranted?.length) notes.push(`**not granted in the manifest: ${route.notGranted.join(", ")}**`);
        if (route.calls?.ScanCommand) notes.push("**Scan**");
        const calls = Object.entries(route.calls ?? {})
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, count]) => `${name.replace(/Command$/, "")} ×${count}`)
          .join(", ");
        return [code(route.key), route.scenario, String(route.status), calls || "none", String(route.totalCalls ?? 0), notes.join("; ")];
      }),
      ["l", "l", "r", "l", "r", "l"],
    ),
    "",
  );
  if (dynamo.missingScenarios.length) {
    out.push(`**${dynamo.missingScenarios.length} manifest route(s) have no scenario: ${dynamo.missingScenarios.map(code).join(", ")}. The bench exits 1.**`, "");
  }
  if (dynamo.staleScenarios.length) {
    out.push(`Scenarios for routes no longer in the manifest (ignored): ${dynamo.staleScenarios.map(code).join(", ")}.`, "");
  }

  out.push("## Latency (local, warm)", "");
  out.push(
    `The same scenarios, ${env.requests} requests each, sequential, after the first (cold, module-loading) request. ` +
      `**End-to-end**: from ${code("fetch")} in the bench process to the last byte of the response, through the local API Gateway emulation and the handler ` +
      `(TypeScript source via tsx, warm, in-process), including JWT verification (JWKS cached after the first request). ` +
      `**DynamoDB**: time inside the SDK's ${code("send")} for the request's calls (marshalling, HTTP to DynamoDB Local, unmarshalling), summed. ` +
      `**Overhead**: end-to-end minus DynamoDB, per request, then the median: what the handler stack (event building, middy, auth, zod, response, local HTTP) costs over its own DynamoDB round-trips. ` +
      `DynamoDB Local is far slower than DynamoDB, so the DynamoDB column says little about production; the overhead column is the one to watch.`,
    "",
  );
  out.push(
    table(
      ["Route", "End-to-end median ms", "p90 ms", "DynamoDB median ms", "Overhead median ms", "Overhead min ms"],
      dynamo.routes.map((route) => {
        const latency = route.latency;
        if (!latency) return [code(route.key), "–", "–", "–", "–", "–"];
        return [
          code(route.key),
          ms(latency.endToEndMs.median),
          ms(latency.endToEndMs.p90),
          ms(latency.dynamoMs.median),
          ms(latency.overheadMs.median),
          ms(latency.overheadMs.min),
        ];
      }),
      ["l", "r", "r", "r", "r", "r"],
    ),
    "",
  );
  out.push(`DynamoDB Local started in ${(dynamo.stackStartMs / 1000).toFixed(1)} s (with the local stack). Full results: JSON beside this report.`, "");
  return out.join("\n");
}
