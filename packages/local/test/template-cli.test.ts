import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withActor } from "@coach/core/actor";
import * as Template from "@coach/core/template";
import { HANG_CEILING_MS } from "../../../test/ceiling";
import { testStackConfig } from "../../../test/env";
import { startLocalStack, type LocalStack } from "../src/stack";

/**
 * `pnpm template` as an operator runs it, in its own process: against the
 * local stack running with a DATA_DIR (found through its runtime file), or a
 * table named by TABLE_NAME; bad files are refused with what is wrong.
 */
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const script = "packages/local/src/template-cli.ts";
let stack: LocalStack;
let dataDir: string;
const work = mkdtempSync(join(tmpdir(), "coach-template-cli-"));

beforeAll(async () => {
  const config = testStackConfig();
  dataDir = config.dataDir;
  stack = await startLocalStack(config);
});

afterAll(async () => {
  await stack?.stop();
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI beside the running stack: its DATA_DIR, no TABLE_NAME of the shell's. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, "node_modules/tsx/dist/cli.mjs"), script, ...args], {
      cwd: repoRoot,
      env: { ...process.env, DATA_DIR: dataDir, TABLE_NAME: "", DYNAMODB_ENDPOINT: "", INIT_CWD: repoRoot, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`pnpm template ${args.join(" ")} hung:\n${stdout}\n${stderr}`));
    }, HANG_CEILING_MS);
    child.once("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

function templateFile(name: string, content: unknown): string {
  const path = join(work, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return path;
}

const sample = (id: string, title = "Visitor badge") => ({
  id,
  title,
  questions: [
    { id: "visitor", text: "Who is visiting?", kind: "text" as const },
    { id: "host", text: "Host's email?", kind: "email" as const },
  ],
  document: { title: "Badge", body: "## Badge\n\n{{visitor}}, hosted by {{host}}" },
});

describe("pnpm template", () => {
  it("is the root package's `template` script", () => {
    const scripts = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    expect(scripts.template).toBe(`tsx ${script}`);
  });

  it("puts a file into the running stack's table, stores nothing for an unchanged one, and lists it", async () => {
    const id = `cli-${randomUUID().slice(0, 8)}`;
    const file = templateFile(`${id}.json`, sample(id));
    const first = await cli(["put", file]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain(`Stored ${id} version 1 (2 questions).`);
    const again = await cli(["put", file]);
    expect(again.stdout).toContain(`${id} is unchanged: version 1 is the latest.`);
    templateFile(`${id}.json`, sample(id, "Visitor badge and parking"));
    expect((await cli(["put", file])).stdout).toContain(`Stored ${id} version 2`);

    const stored = await withActor({ type: "system" }, () => Template.getTemplate(id));
    expect(stored).toMatchObject({ id, version: 2, title: "Visitor badge and parking" });

    const list = await cli(["list"]);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${id}\\s+v2\\s+Visitor badge and parking\\s+2 questions\\s+stored \\d{4}-`, "m"));
  });

  it("works on the table TABLE_NAME names, without a running stack", async () => {
    const id = `cli-stage-${randomUUID().slice(0, 8)}`;
    await withActor({ type: "system" }, () => Template.putTemplate(sample(id, "Stage template")));
    const list = await cli(["list"], { DATA_DIR: mkdtempSync(join(tmpdir(), "coach-nostack-")), TABLE_NAME: inject("tableName"), DYNAMODB_ENDPOINT: inject("dynamodbEndpoint") });
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${id}\\s+v1\\s+Stage template`, "m"));
  });

  it("says clearly what is wrong with a missing file, invalid JSON or an invalid template, and stores nothing", async () => {
    const missing = await cli(["put", "no-such-template.json"], { INIT_CWD: work });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("no-such-template.json: no such file");

    // A relative path is the caller's, from the folder they ran pnpm in.
    templateFile("broken.json", '{"id": "broken", "title": ');
    const broken = await cli(["put", "broken.json"], { INIT_CWD: work });
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/^broken\.json is not valid JSON: /);

    const id = `cli-invalid-${randomUUID().slice(0, 8)}`;
    const invalid = templateFile("invalid.json", {
      ...sample(id),
      questions: [{ id: "visitor", text: "Who?", kind: "choice" }, { id: "when", text: "", kind: "time" }],
    });
    const refused = await cli(["put", invalid]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`${invalid} is not a valid template (3 problems):`);
    for (const line of ["  questions.0.options: a choice question lists its options", "  questions.1.text: ", "  questions.1.kind: "]) expect(refused.stderr).toContain(line);
    // Once the questions parse, the template as a whole is checked: ids, placeholders.
    const inconsistent = templateFile("inconsistent.json", {
      ...sample(id),
      questions: [...sample(id).questions, { id: "visitor", text: "Again?", kind: "text" }],
      document: { title: "Badge", body: "{{visitor}} {{car}}" },
    });
    const refusedToo = await cli(["put", inconsistent]);
    expect(refusedToo.status).toBe(1);
    expect(refusedToo.stderr).toContain(`${inconsistent} is not a valid template (2 problems):`);
    expect(refusedToo.stderr).toContain('  questions.2.id: question id "visitor" is used twice');
    expect(refusedToo.stderr).toContain("  document.body: the placeholder {{car}} names no question");
    expect(refused.stderr + refusedToo.stderr).not.toMatch(/\n\s+at /);
    await expect(withActor({ type: "system" }, () => Template.getTemplate(id))).rejects.toMatchObject({ code: "template.not_found" });
  });

  it("prints its usage for anything else, and says how to reach a table when no stack runs", async () => {
    for (const args of [[], ["put"], ["remove", "x"], ["list", "extra"]]) {
      const result = await cli(args);
      expect(result.status, args.join(" ")).toBe(2);
      expect(result.stderr).toContain("usage: pnpm template put <file.json> | pnpm template list");
    }
    const alone = await cli(["list"], { DATA_DIR: mkdtempSync(join(tmpdir(), "coach-nostack-")) });
    expect(alone.status).toBe(1);
    expect(alone.stderr).toContain("No local stack is running with this DATA_DIR");
  });
});
