import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { withActor } from "@coach/core/actor";
import * as Template from "@coach/core/template";
import { testStackConfig } from "../../../test/env";
import { readLocalConfig } from "../src/config";
import { exampleTemplateFiles } from "../src/example-templates";
import { startLocalStack } from "../src/stack";
import { readTemplateFile } from "../src/template-file";

/** The questionnaire templates in examples/templates, and `pnpm start` loading them. */
const examples = exampleTemplateFiles().map((file) => ({ file, template: readTemplateFile(file) }));
const asSystem = <T>(run: () => Promise<T>) => withActor({ type: "system" }, run);

describe("the example templates", () => {
  it("are valid templates, each in a file named after its id", () => {
    expect(examples.map(({ file }) => basename(file))).toEqual(["incident-report.json", "nda-intake.json"]);
    for (const { file, template } of examples) expect(`${template.id}.json`).toBe(basename(file));
  });

  it("use every question kind between them, and some optional questions", () => {
    const questions = examples.flatMap(({ template }) => template.questions);
    expect(new Set(questions.map((question) => question.kind))).toEqual(new Set(Template.QuestionKind.options));
    for (const { template } of examples) expect(template.questions.some((question) => !question.required), template.id).toBe(true);
  });

  it("write a Markdown document with headings, a list and a table, in which every answer appears", () => {
    for (const { template } of examples) {
      const body = template.document.body;
      expect(body, template.id).toMatch(/^# \S/m);
      expect(body, template.id).toMatch(/^## \S/m);
      expect(body, template.id).toMatch(/^- \S/m);
      expect(body, template.id).toMatch(/^\|.+\|\n\| --- \|/m);
      for (const question of template.questions) expect(body, `${template.id}: {{${question.id}}}`).toContain(`{{${question.id}}}`);
    }
  });
});

describe("startLocalStack with loadExampleTemplates", () => {
  it("is what `pnpm start` asks for, and test stacks do not", () => {
    expect(readLocalConfig({}).loadExampleTemplates).toBe(true);
    expect(testStackConfig().loadExampleTemplates).toBeUndefined();
  });

  it("stores each example once: a second start with the same content stores nothing", async () => {
    const first = await startLocalStack(testStackConfig({ loadExampleTemplates: true }));
    await first.stop();
    const loaded = await Promise.all(examples.map(({ template }) => asSystem(() => Template.getTemplate(template.id))));
    for (const [i, stored] of loaded.entries()) {
      const { template } = examples[i]!;
      expect(stored).toEqual({ ...template, version: stored.version, createdAt: stored.createdAt });
    }

    const second = await startLocalStack(testStackConfig({ loadExampleTemplates: true }));
    await second.stop();
    for (const stored of loaded) {
      expect(await asSystem(() => Template.getTemplate(stored.id))).toEqual(stored);
      await expect(asSystem(() => Template.getTemplate(stored.id, stored.version + 1))).rejects.toMatchObject({ code: "template.not_found" });
    }
  });
});
