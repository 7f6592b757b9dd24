import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { constants, gzipSync } from "node:zlib";
import { build, version as esbuildVersion, type BuildOptions, type Metafile } from "esbuild";

/**
 * The esbuild options SST v2 uses for `nodejs: { format: "esm", minify: true,
 * splitting: true }` (see stacks/functions.ts and sst/runtime/handlers/node.js),
 * except the target, which is pinned to the deployed runtime (nodejs22.x)
 * instead of esnext, and no sourcemap (SST writes it to a separate .map file,
 * which is not part of the code Lambda loads). Nothing is external: the AWS
 * SDK is bundled too, as it is in the deployed functions. With splitting, a
 * dynamic `import()` (the AWS SDK's credential providers, the PDF renderer,
 * each flow's turn side) becomes a chunk of its own beside the entry, read only when it runs; an
 * outdir is required.
 */
export const shippedOptions = {
  bundle: true,
  minify: true,
  keepNames: true,
  platform: "node",
  target: "node22",
  format: "esm",
  mainFields: ["module", "main"],
  external: [],
  splitting: true,
  outExtension: { ".js": ".mjs" },
  banner: {
    js: [
      `import { createRequire as topLevelCreateRequire } from 'module';`,
      `const require = topLevelCreateRequire(import.meta.url);`,
      `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
      `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
    ].join("\n"),
  },
} satisfies BuildOptions;

export interface BundleInput {
  key: string;
  /** Entry module, relative to the repository root, without extension. */
  modulePath: string;
  exportName: string;
}

export interface BundleResult extends BundleInput {
  /** Absolute path of the entry file, the one Lambda imports. */
  file: string;
  /** Bytes read at cold start: the entry and the chunks it imports statically, transitively. */
  bytes: number;
  gzipBytes: number;
  /** Files read at cold start (the entry and its static chunks). */
  files: number;
  /** Bytes in chunks only a dynamic `import()` reads, when it runs (e.g. the PDF renderer). */
  lazyBytes: number;
  warnings: number;
  /** Bytes shipped per contributor (see `contributorOf`), cold-start and lazy chunks alike, largest first. */
  contributors: { name: string; bytes: number }[];
}

export const esbuildVersionString = esbuildVersion;

/** Bundles every input into its own folder of `outDir` (emptied first), as SST does one function per folder, in parallel. */
export async function bundleAll(repoRoot: string, outDir: string, inputs: readonly BundleInput[]): Promise<BundleResult[]> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const used = new Set<string>();
  return Promise.all(inputs.map((input) => bundleOne(repoRoot, join(outDir, uniqueSlug(input.key, used)), input)));
}

async function bundleOne(repoRoot: string, outdir: string, input: BundleInput): Promise<BundleResult> {
  const result = await build({
    ...shippedOptions,
    absWorkingDir: repoRoot,
    entryPoints: [join(repoRoot, `${input.modulePath}.ts`)],
    outdir,
    write: true,
    metafile: true,
    logLevel: "silent",
  });
  const outputs = result.metafile.outputs;
  const entry = entryOutput(outputs, `${input.modulePath}.ts`);
  const loaded = staticClosure(outputs, entry);
  const code = Buffer.concat(loaded.map((path) => readFileSync(resolve(repoRoot, path))));
  const byContributor = new Map<string, number>();
  for (const output of Object.values(outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = contributorOf(path);
      byContributor.set(name, (byContributor.get(name) ?? 0) + bytesInOutput);
    }
  }
  const total = Object.values(outputs).reduce((sum, output) => sum + output.bytes, 0);
  return {
    ...input,
    file: resolve(repoRoot, entry),
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: constants.Z_BEST_COMPRESSION }).length,
    files: loaded.length,
    lazyBytes: total - code.length,
    warnings: result.warnings.length,
    contributors: [...byContributor].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes),
  };
}

/** The output of the entry point `source` (relative to the working directory): a lazy chunk names its own entry point too. */
export function entryOutput(outputs: Metafile["outputs"], source: string): string {
  const found = Object.keys(outputs).find((path) => outputs[path]!.entryPoint === source);
  if (!found) throw new Error(`esbuild wrote no output for the entry ${source}`);
  return found;
}

/** The outputs an import of `entry` reads: it and every chunk reached through static imports, not dynamic ones. */
export function staticClosure(outputs: Metafile["outputs"], entry: string): string[] {
  const seen = new Set<string>([entry]);
  for (const path of seen) {
    for (const imported of outputs[path]?.imports ?? []) {
      if (imported.kind === "import-statement" && !imported.external) seen.add(imported.path);
    }
  }
  return [...seen];
}

/**
 * Who a bundled input belongs to. An npm package is one contributor
 * (`node_modules/.pnpm/x/node_modules/@scope/name/dist/a.js` → `@scope/name`);
 * our own code is split finer, so a bundle that pulls in a core concept it
 * should not (the OKR prompts, the offline responder) shows it by name:
 * `packages/core/src/okr/phase.ts` → `packages/core/src/okr`,
 * `packages/core/src/okr/offline/reply.ts` → `packages/core/src/okr/offline` (one level deeper, no more),
 * `packages/functions/src/http/sessions/get.ts` → `packages/functions/src/http/sessions` (the file's folder).
 */
export function contributorOf(path: string): string {
  const parts = path.split(/[\\/]/);
  const at = parts.lastIndexOf("node_modules");
  if (at >= 0) {
    const first = parts[at + 1] ?? "?";
    return first.startsWith("@") ? `${first}/${parts[at + 2] ?? "?"}` : first;
  }
  if (parts[0] === "packages" && parts[1] === "core" && parts[2] === "src") return parts.slice(0, Math.min(parts.length - 1, 5)).join("/");
  if (parts[0] === "packages" && parts[1] === "functions" && parts[2] === "src") return parts.slice(0, -1).join("/");
  if (parts[0] === "packages" && parts[1]) return `packages/${parts[1]}`;
  return parts.slice(0, 2).join("/");
}

/** Contributors that are our own source rather than an npm package. */
export const isOwnCode = (name: string): boolean => name.startsWith("packages/") || name.startsWith("scripts/");

function uniqueSlug(key: string, used: Set<string>): string {
  const base = key.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "route";
  let slug = base;
  for (let i = 2; used.has(slug); i++) slug = `${base}-${i}`;
  used.add(slug);
  return slug;
}

export const repoRelative = (repoRoot: string, file: string): string => relative(repoRoot, file).split(sep).join("/");
