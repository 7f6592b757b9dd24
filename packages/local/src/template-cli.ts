import { resolve } from "node:path";
import { TemplateFileError, readTemplateFile } from "./template-file";
import { useTargetTable } from "./target-table";

// The SDK warns on Node 20 about its releases after January 2027; the lockfile pins today's,
// and Lambda runs Node 22. Keep the local tools' output readable.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/**
 * `pnpm template put <file.json> | list` — questionnaire templates in the
 * table of the stack running with this DATA_DIR, or, with TABLE_NAME set (and
 * AWS credentials), in a deployed stage's table. A file is checked before
 * any table is touched.
 */
const [command, argument, ...rest] = process.argv.slice(2);
const usage = "usage: pnpm template put <file.json> | pnpm template list";

switch (command) {
  case "put": {
    if (!argument || rest.length > 0) fail(usage, 2);
    let input;
    try {
      // pnpm runs the script at the repository root; a relative path is the caller's, from where they typed it.
      input = readTemplateFile(resolve(process.env.INIT_CWD ?? process.cwd(), argument), argument);
    } catch (error) {
      if (!(error instanceof TemplateFileError)) throw error;
      fail(error.message);
    }
    const Template = await templates();
    const { template, created } = await Template.asSystem(() => Template.putTemplateIfChanged(input));
    console.log(
      created
        ? `Stored ${template.id} version ${template.version} (${template.questions.length} questions).`
        : `${template.id} is unchanged: version ${template.version} is the latest.`,
    );
    break;
  }
  case "list": {
    if (argument) fail(usage, 2);
    const Template = await templates();
    let cursor: string | undefined;
    let count = 0;
    do {
      const page = await Template.asSystem(() => Template.listTemplates({ limit: 100, cursor }));
      for (const summary of page.items) {
        console.log(`${summary.id.padEnd(24)}  v${String(summary.version).padEnd(4)}  ${summary.title.padEnd(32)}  ${summary.questionCount} questions  stored ${summary.createdAt}`);
      }
      count += page.items.length;
      cursor = page.nextCursor;
    } while (cursor);
    if (count === 0) console.log("No templates.");
    break;
  }
  default:
    fail(usage, 2);
}

/** Core's template verbs as the system actor, imported once the target table is in the environment. */
async function templates() {
  useTargetTable("manage templates in");
  const [{ withActor }, Template] = await Promise.all([import("@coach/core/actor"), import("@coach/core/template")]);
  return { ...Template, asSystem: <T>(run: () => Promise<T>) => withActor({ type: "system" }, run) };
}

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}
