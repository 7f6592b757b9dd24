import { randomUUID } from "node:crypto";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { withActor } from "@coach/core/actor";
import { documentClient, tableName } from "@coach/core/table";
import * as Template from "@coach/core/template";
import { templateKeys } from "../src/template/keys";
import { errorOf } from "./support/errors";

const asOperator = <T>(fn: () => Promise<T>) => withActor({ type: "apiKey", keyId: "template-test", name: "test" }, async () => fn());
const asUser = <T>(fn: () => Promise<T>) => withActor({ type: "user", userId: `user-${randomUUID()}` }, async () => fn());
const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

function sample(id: string, title = "Onboarding check-in"): Template.TemplateInput {
  return {
    id,
    title,
    description: "A short check-in",
    questions: [
      { id: "name", text: "Your name?", kind: "text", required: true },
      { id: "team", text: "Which team?", kind: "choice", required: true, options: ["Platform", "Product"] },
      { id: "start", text: "Start date?", kind: "date", required: false },
    ],
    document: { title: "Check-in", body: "# Check-in\n\n{{name}} joins {{team}} on {{start}}." },
  };
}

/** Every page of the list, following nextCursor. */
async function listAll(limit: number): Promise<Template.TemplateSummary[]> {
  const items: Template.TemplateSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await asUser(() => Template.listTemplates({ limit, cursor }));
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

describe("putting templates", () => {
  it("stores versions 1, 2, 3 of an id; the latest is the default read, a pinned one stays readable", async () => {
    const id = unique("versions");
    const stored = [];
    for (const title of ["First", "Second", "Third"]) stored.push(await asOperator(() => Template.putTemplate(sample(id, title))));
    expect(stored.map((template) => template.version)).toEqual([1, 2, 3]);
    expect(stored[0]).toMatchObject({ id, title: "First", version: 1, createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });

    expect(await asUser(() => Template.getTemplate(id))).toEqual(stored[2]);
    expect(await asUser(() => Template.getTemplate(id, 1))).toEqual(stored[0]);
    expect(await asUser(() => Template.getTemplate(id, 2))).toEqual(stored[1]);
    // A put with the same content still makes a version: putTemplate always stores.
    expect((await asOperator(() => Template.putTemplate(sample(id, "Third")))).version).toBe(4);
  });

  it("applies the schema's defaults and stores the version under its own key", async () => {
    const id = unique("defaults");
    const { description: _description, ...input } = sample(id);
    const template = await asOperator(() => Template.putTemplate({ ...input, questions: [{ id: "name", text: "Your name?", kind: "text" }], document: { title: "T", body: "{{name}}" } }));
    expect(template).toMatchObject({ description: "", questions: [{ id: "name", required: true }] });
    const item = await documentClient.send(new GetCommand({ TableName: tableName, Key: templateKeys.version(id, 1) }));
    expect(item.Item).toMatchObject({ type: "template", id, version: 1 });
  });

  it("gives concurrent puts of one id distinct versions, with none lost", async () => {
    const id = unique("concurrent");
    const titles = Array.from({ length: 8 }, (_, i) => `Title ${i}`);
    const stored = await Promise.all(titles.map((title) => asOperator(() => Template.putTemplate(sample(id, title)))));
    expect(stored.map((template) => template.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const template of stored) expect(await asUser(() => Template.getTemplate(id, template.version))).toEqual(template);
    expect((await asUser(() => Template.getTemplate(id))).version).toBe(8);
  });

  it("stores a new version only when the content changed, with putTemplateIfChanged", async () => {
    const id = unique("if-changed");
    const first = await asOperator(() => Template.putTemplateIfChanged(sample(id)));
    expect(first).toMatchObject({ created: true, template: { version: 1 } });
    const same = await asOperator(() => Template.putTemplateIfChanged(sample(id)));
    expect(same).toEqual({ created: false, template: first.template });
    const changed = await asOperator(() => Template.putTemplateIfChanged(sample(id, "Renamed")));
    expect(changed).toMatchObject({ created: true, template: { version: 2, title: "Renamed" } });
    // Concurrent identical puts: one version between them.
    const racing = await Promise.all([1, 2, 3, 4].map(() => asOperator(() => Template.putTemplateIfChanged(sample(id, "Raced")))));
    expect(racing.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(racing.map((result) => result.template.version))).toEqual(new Set([3]));
  });

  it("refuses an invalid template, listing each issue with its path", async () => {
    const input = sample(unique("invalid"));
    const error = await errorOf(
      asOperator(() =>
        Template.putTemplate({
          ...input,
          questions: [...input.questions, { id: "name", text: "Again?", kind: "email", options: ["a", "b"] }],
          document: { title: "T", body: "{{name}} {{nobody}}" },
        }),
      ),
    );
    expect(error).toMatchObject({ kind: "invalid", code: "request.invalid" });
    const paths = (error.details?.issues as { path: string }[]).map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(["questions.3.options", "questions.3.id", "document.body"]));
  });

  it("refuses a template too large for one item", async () => {
    const input = sample(unique("large"));
    const huge = { ...input, questions: Array.from({ length: 100 }, (_, i) => ({ id: `q${i}`, text: "x".repeat(1000), kind: "text" as const, help: "y".repeat(1000), required: true })) };
    const error = await errorOf(asOperator(() => Template.putTemplate({ ...huge, document: { title: "T", body: "z".repeat(100_000) } })));
    expect(error.code).toBe("request.invalid");
    expect(error.message).toMatch(/at most 300000/);
  });
});

describe("reading templates", () => {
  it("answers template.not_found for an unknown id and an unknown version", async () => {
    expect(await errorOf(asUser(() => Template.getTemplate(unique("nothing"))))).toMatchObject({ kind: "not_found", code: "template.not_found" });
    const id = unique("one-version");
    await asOperator(() => Template.putTemplate(sample(id)));
    expect(await errorOf(asUser(() => Template.getTemplate(id, 2)))).toMatchObject({ kind: "not_found", code: "template.not_found" });
  });

  it("lists the latest version of each template by id, page by page", async () => {
    const prefix = unique("list");
    const ids = [`${prefix}-c`, `${prefix}-a`, `${prefix}-b`];
    for (const id of ids) await asOperator(() => Template.putTemplate(sample(id, "v1")));
    await asOperator(() => Template.putTemplate(sample(`${prefix}-b`, "v2")));

    const mine = (await listAll(2)).filter((summary) => summary.id.startsWith(prefix));
    expect(mine.map((summary) => summary.id)).toEqual([`${prefix}-a`, `${prefix}-b`, `${prefix}-c`]);
    expect(mine[1]).toEqual({ id: `${prefix}-b`, version: 2, title: "v2", description: "A short check-in", questionCount: 3, createdAt: expect.any(String) });
    // The whole list is in id order, each template once.
    const everything = (await listAll(100)).map((summary) => summary.id);
    expect(everything).toEqual([...everything].sort());
    expect(new Set(everything).size).toBe(everything.length);
  });

  it("refuses a cursor that is not one of this list's", async () => {
    const foreign = Buffer.from(JSON.stringify({ v: 1, k: { pk: "SESSION#x", sk: "SESSION", gsi1pk: "USER#someone", gsi1sk: "active#x" } })).toString("base64url");
    for (const cursor of [foreign, "not-a-cursor", "%%%"]) {
      expect((await errorOf(asUser(() => Template.listTemplates({ cursor })))).code).toBe("cursor.invalid");
    }
  });
});

describe("deleting templates", () => {
  it("takes a template off the list and out of the latest read, keeps its versions readable, and goes on from the last version", async () => {
    const id = unique("delete");
    await asOperator(() => Template.putTemplate(sample(id, "v1")));
    const v2 = await asOperator(() => Template.putTemplate(sample(id, "v2")));
    await asOperator(() => Template.deleteTemplate(id));

    expect((await errorOf(asUser(() => Template.getTemplate(id)))).code).toBe("template.not_found");
    expect(await asUser(() => Template.getTemplate(id, 2))).toEqual(v2);
    expect((await listAll(100)).map((summary) => summary.id)).not.toContain(id);
    expect((await errorOf(asOperator(() => Template.deleteTemplate(id)))).code).toBe("template.not_found");
    expect((await errorOf(asOperator(() => Template.deleteTemplate(unique("never"))))).code).toBe("template.not_found");

    // Putting it again, even unchanged, brings it back as version 3: version 2 keeps naming what a session pinned.
    const back = await asOperator(() => Template.putTemplateIfChanged(sample(id, "v2")));
    expect(back).toMatchObject({ created: true, template: { version: 3, title: "v2" } });
    expect((await asUser(() => Template.getTemplate(id))).version).toBe(3);
    expect((await listAll(100)).map((summary) => summary.id)).toContain(id);
  });
});

describe("authorization", () => {
  it("lets only operators put and delete; users and operators read", async () => {
    const id = unique("auth");
    expect((await errorOf(asUser(() => Template.putTemplate(sample(id))))).code).toBe("template.operators_only");
    await asOperator(() => Template.putTemplate(sample(id)));
    expect((await errorOf(asUser(() => Template.deleteTemplate(id)))).code).toBe("template.operators_only");
    expect((await asOperator(() => Template.getTemplate(id))).id).toBe(id);
    expect((await withActor({ type: "system" }, () => Template.getTemplate(id))).id).toBe(id);
  });
});
