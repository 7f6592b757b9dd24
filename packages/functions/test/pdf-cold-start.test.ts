import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { entryOutput, shippedOptions, staticClosure } from "../../../scripts/bench/bundle";

/**
 * pdfkit and the Markdown lexer are heavy (about 2 MB bundled). Only the two
 * routes that render a PDF may carry them, and there they load on the first
 * PDF (a dynamic import, a chunk of its own in the split bundle), not at cold
 * start; no other route's bundle has them.
 */
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const PDF_ROUTES = ["packages/functions/src/http/documents/get.ts", "packages/functions/src/http/sessions/export.ts"];

function sources(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ts$/.test(entry.name) && !entry.name.endsWith(".d.ts"))
    .map((entry) => relative(repoRoot, join(entry.parentPath, entry.name)));
}

const imports = (file: string, specifier: RegExp) => [...readFileSync(join(repoRoot, file), "utf8").matchAll(/(?:from\s+|import\s*\(\s*)["']([^"']+)["']/g)].filter((m) => specifier.test(m[1]!));

describe("the PDF renderer stays out of cold starts", () => {
  it("is imported only by the PDF routes, and only lazily", () => {
    const importers = sources("packages/functions/src").filter((file) => imports(file, /^@coach\/core\/pdf$|core\/src\/pdf/).length > 0);
    expect(importers.sort()).toEqual([...PDF_ROUTES].sort());
    for (const file of PDF_ROUTES) {
      const text = readFileSync(join(repoRoot, file), "utf8");
      expect(text, file).toMatch(/await import\("@coach\/core\/pdf"\)/);
      expect(text, file).not.toMatch(/from "@coach\/core\/pdf"/);
    }
  });

  it("is the only part of core that imports pdfkit or marked, and no other part of core imports it", () => {
    const core = sources("packages/core/src");
    const heavy = core.filter((file) => imports(file, /^(pdfkit|marked)(\/|$)/).length > 0);
    for (const file of heavy) expect(file).toMatch(/^packages\/core\/src\/pdf\//);
    const intoPdf = core.filter((file) => !file.startsWith("packages/core/src/pdf/") && imports(file, /(^|\/)pdf(\/|$)/).length > 0);
    expect(intoPdf).toEqual([]);
  });

  const bundle = (entry: string) => build({ ...shippedOptions, absWorkingDir: repoRoot, entryPoints: [join(repoRoot, entry)], write: false, metafile: true, outdir: "out", logLevel: "silent" });
  const isHeavy = (input: string) => /node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?(pdfkit|fontkit|marked)\//.test(input) || input.includes("packages/core/src/pdf/");

  it("leaves pdfkit, fontkit and marked out of the light document routes' bundles", async () => {
    for (const entry of ["packages/functions/src/http/documents/list.ts", "packages/functions/src/http/documents/remove.ts"]) {
      expect(Object.keys((await bundle(entry)).metafile.inputs).filter(isHeavy), entry).toEqual([]);
    }
  });

  it("ships it in the PDF routes in chunks their cold start does not read", async () => {
    for (const entry of PDF_ROUTES) {
      const { outputs } = (await bundle(entry)).metafile;
      const atColdStart = staticClosure(outputs, entryOutput(outputs, entry));
      const heavyIn = (paths: string[]) => paths.filter((path) => Object.keys(outputs[path]!.inputs).some(isHeavy));
      expect(heavyIn(atColdStart), entry).toEqual([]);
      // The check can see it: the route's lazy chunks do carry it.
      expect(heavyIn(Object.keys(outputs)).length, entry).toBeGreaterThan(0);
    }
  });
});
