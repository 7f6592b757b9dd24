import { readFileSync } from "node:fs";
import { TemplateInput } from "@coach/core/template/schema";

/** A template file that cannot be used, with a message that says why (and, for an invalid template, every problem by its path). */
export class TemplateFileError extends Error {
  override readonly name = "TemplateFileError";
}

/**
 * Reads and checks a template file (`pnpm template put`, the examples
 * `pnpm start` loads). Only the schema, no table: a bad file is reported
 * before anything connects anywhere. Messages name the file as `path`.
 */
export function readTemplateFile(file: string, path = file): TemplateInput {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = error instanceof Error && "code" in error ? String(error.code) : undefined;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a folder, not a file" : `cannot be read (${code ?? String(error)})`;
    throw new TemplateFileError(`${path}: ${why}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TemplateFileError(`${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const parsed = TemplateInput.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `  ${issue.path.length > 0 ? issue.path.join(".") : "(the template)"}: ${issue.message}`);
    throw new TemplateFileError(`${path} is not a valid template (${issues.length} ${issues.length === 1 ? "problem" : "problems"}):\n${issues.join("\n")}`);
  }
  return parsed.data;
}
