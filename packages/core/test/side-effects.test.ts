import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * packages/core/package.json tells bundlers which of its modules have side
 * effects (`sideEffects`), so a handler's bundle leaves out the modules whose
 * exports it never uses, schemas and all. That list must be the truth: a
 * module that does something when imported (registers fonts, patches a
 * global) and is missing from it would be dropped from a bundle that imports
 * it only for that.
 */
const coreRoot = fileURLToPath(new URL("../", import.meta.url));

function sources(): string[] {
  return readdirSync(join(coreRoot, "src"), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts"))
    .map((entry) => `./${relative(coreRoot, join(entry.parentPath, entry.name)).split("\\").join("/")}`);
}

/** Top-level statements that run code for its effect: an expression statement (a call, an assignment), not a declaration. */
function topLevelEffects(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(coreRoot, file), "utf8"), ts.ScriptTarget.Latest, true);
  return source.statements.filter((statement) => ts.isExpressionStatement(statement)).map((statement) => statement.getText(source).slice(0, 80));
}

describe("core's side effects", () => {
  it("are declared in package.json: exactly the modules with top-level statements that run for their effect", () => {
    const declared = (JSON.parse(readFileSync(join(coreRoot, "package.json"), "utf8")) as { sideEffects: string[] }).sideEffects;
    const found = sources().filter((file) => topLevelEffects(file).length > 0);
    expect(found.sort()).toEqual([...declared].sort());
  });

  it("sees one: the PDF renderer registers its fonts with pdfkit at import", () => {
    expect(topLevelEffects("./src/pdf/fonts.ts")).toEqual([expect.stringMatching(/^registerStdFonts\(/)]);
  });
});
