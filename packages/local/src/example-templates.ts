import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { readTemplateFile } from "./template-file";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const exampleTemplatesDir = join(repoRoot, "examples", "templates");

/** The example template files, by name. */
export function exampleTemplateFiles(): string[] {
  return readdirSync(exampleTemplatesDir)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => join(exampleTemplatesDir, name));
}

/**
 * Puts every example template whose content differs from its stored latest
 * version (new ones become version 1), so a restart stores nothing and an
 * edited example becomes the next version. A broken example stops the start
 * with its problems: it is in the repository, and the tests check it.
 * Call once the handlers' environment is set: core reads it on import.
 */
export async function loadExampleTemplates(log: (line: string) => void): Promise<void> {
  const inputs = exampleTemplateFiles().map((file) => readTemplateFile(file, relative(repoRoot, file)));
  const [{ withActor }, Template] = await Promise.all([import("@coach/core/actor"), import("@coach/core/template")]);
  for (const input of inputs) {
    const { template, created } = await withActor({ type: "system" }, () => Template.putTemplateIfChanged(input));
    if (created) log(`example template ${template.id}: stored version ${template.version}`);
  }
}
