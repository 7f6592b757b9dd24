import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** packages/web: the app `pnpm start` serves, built by Vite into its `dist/`. */
export const webPackageDir = fileURLToPath(new URL("../../web/", import.meta.url));
export const webDistDir = join(webPackageDir, "dist");

/**
 * Builds packages/web when its `dist/` is missing or older than anything it
 * was built from, so `pnpm start` serves the app as the checkout has it
 * without a build step to remember. Vite writes into a folder of its own,
 * swapped in when complete: a second stack starting at the same time, or a
 * server already serving `dist/`, never sees half a build.
 */
export async function ensureWebBuild(log: (line: string) => void): Promise<void> {
  const stale = staleInput();
  if (stale === undefined) return;
  log(`web app: building packages/web (${stale})…`);
  const outDir = join(webPackageDir, `.dist-${process.pid}-${Date.now()}`);
  try {
    await run(process.execPath, [viteCli(), "build", "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"]);
    swapIn(outDir);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/**
 * Replaces `dist/` with the new build. Another process building at the same
 * time may swap its build in first: then either build is as fresh, and ours is
 * dropped.
 */
function swapIn(outDir: string): void {
  const old = `${webDistDir}.old-${process.pid}-${Date.now()}`;
  try {
    renameSync(webDistDir, old);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  try {
    renameSync(outDir, webDistDir);
  } catch (error) {
    if (!["ENOTEMPTY", "EEXIST"].includes((error as NodeJS.ErrnoException).code ?? "")) throw error;
  } finally {
    rmSync(old, { recursive: true, force: true });
  }
}

/**
 * Why the build is out of date (a file newer than `dist/index.html`, or
 * missing), or undefined when it is not. The inputs are the app's own files
 * and every module the last build bundled (its source maps list them:
 * `@coach/client`, preact, …).
 */
export function staleInput(): string | undefined {
  const index = join(webDistDir, "index.html");
  if (!existsSync(index)) return "no build yet";
  const builtAt = statSync(index).mtimeMs;
  const inputs = [...filesUnder(join(webPackageDir, "src")), ...["index.html", "vite.config.ts", "package.json"].map((name) => join(webPackageDir, name)), ...bundledSources()];
  for (const input of inputs) {
    if (!existsSync(input)) return `${input} is gone`;
    if (statSync(input).mtimeMs > builtAt) return `${input} changed`;
  }
  return undefined;
}

function bundledSources(): string[] {
  const assets = join(webDistDir, "assets");
  if (!existsSync(assets)) return [];
  const sources: string[] = [];
  for (const name of readdirSync(assets).filter((file) => file.endsWith(".js.map"))) {
    const map = JSON.parse(readFileSync(join(assets, name), "utf8")) as { sources?: string[]; sourceRoot?: string };
    // Vite's virtual modules (`\0vite/preload-helper`) are no files.
    for (const source of map.sources ?? []) if (!source.startsWith("\0")) sources.push(resolve(assets, map.sourceRoot ?? "", source));
  }
  return sources;
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

function viteCli(): string {
  const require = createRequire(join(webPackageDir, "package.json"));
  return join(dirname(require.resolve("vite/package.json")), "bin", "vite.js");
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    // A production build whatever the caller runs under (vitest sets NODE_ENV=test, and Vite then builds for development).
    const child = spawn(command, args, { cwd: webPackageDir, env: { ...process.env, NODE_ENV: "production" }, stdio: ["ignore", "inherit", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolvePromise() : reject(new Error(`building packages/web failed (exit ${code}):\n${stderr}`))));
  });
}
