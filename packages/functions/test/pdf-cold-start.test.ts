import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { shippedOptions } from "../../../scripts/bench/bundle";

/**
 * pdfkit and the Markdown lexer are heavy (about 2 MB bundled). Only the two
 * routes that render a PDF may carry them, and there they load on the first
 * PDF (a dynamic import), not at cold start; no other route's bundle has them.
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

  it("leaves pdfkit, fontkit and marked out of the light document routes' bundles", async () => {
    const bundled = async (entry: string) => {
      const result = await build({ ...shippedOptions, absWorkingDir: repoRoot, entryPoints: [join(repoRoot, entry)], write: false, metafile: true, outfile: "out.mjs", logLevel: "silent" });
      return Object.keys(result.metafile.inputs);
    };
    const isHeavy = (input: string) => /node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?(pdfkit|fontkit|marked)\//.test(input) || input.includes("packages/core/src/pdf/");
    for (const entry of ["packages/functions/src/http/documents/list.ts", "packages/functions/src/http/documents/remove.ts"]) {
      expect((await bundled(entry)).filter(isHeavy), entry).toEqual([]);
    }
    // The check can see it: the PDF route's bundle does carry it.
    expect((await bundled(PDF_ROUTES[0]!)).some(isHeavy)).toBe(true);
  });
});
