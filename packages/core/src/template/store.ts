import { createHash } from "node:crypto";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "../zod";
import { currentActor } from "../actor";
import { clock } from "../clock";
import { VisibleError } from "../error";
import { documentClient, queryPage, tableName, transact, TransactionRefused } from "../table";
import { fn } from "../util";
import { templateKeys } from "./keys";
import { Template, TemplateId, TemplateInput, TemplateSummary } from "./schema";

/**
 * The template store: versioned, one partition per template (keys.ts). Any
 * caller may read templates; only operators (an API key, or the system:
 * the CLI, `pnpm start`'s examples) change them.
 */

/** A put that keeps meeting concurrent puts gives up after this many tries. */
const MAX_ATTEMPTS = 8;

export interface PutResult {
  template: Template;
  /** False when the content equalled the latest version, which is returned instead of a new one. */
  created: boolean;
}

/** Stores `input` as the template's next version (1 for a new id, or one past the last, deleted or not). */
export const putTemplate = /* @__PURE__ */ fn(TemplateInput, async (input): Promise<Template> => (await store(input, false)).template);

/**
 * Like `putTemplate`, unless the content (everything but the id) equals the
 * latest version's: then nothing is written and that version is returned.
 * A retried PUT, or the examples `pnpm start` loads on every start, never
 * pile up identical versions.
 */
export const putTemplateIfChanged = /* @__PURE__ */ fn(TemplateInput, (input): Promise<PutResult> => store(input, true));

async function store(input: TemplateInput, onlyIfChanged: boolean): Promise<PutResult> {
  assertOperator();
  const hash = contentHash(input);
  for (let attempt = 1; ; attempt++) {
    const head = await readHead(input.id);
    if (onlyIfChanged && head && !head.deletedAt && head.contentHash === hash) {
      return { template: await readVersion(input.id, head.version), created: false };
    }
    const template: Template = { ...input, version: (head?.version ?? 0) + 1, createdAt: clock.now() };
    try {
      // The head's version check is what serializes concurrent puts: of two that read the same head, one commits.
      await transact({
        head: {
          Put: {
            TableName: tableName,
            Item: headItem(template, hash),
            ConditionExpression: head ? "#version = :current" : "attribute_not_exists(pk)",
            ...(head ? { ExpressionAttributeNames: { "#version": "version" }, ExpressionAttributeValues: { ":current": head.version } } : {}),
          },
        },
        version: { Put: { TableName: tableName, Item: { ...templateKeys.version(template.id, template.version), type: "template", ...template }, ConditionExpression: "attribute_not_exists(pk)" } },
      });
      return { template, created: true };
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      if (attempt >= MAX_ATTEMPTS) {
        throw new VisibleError("conflict", "template.busy", `Template ${input.id} is being changed concurrently; try again`, undefined, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * 2 ** attempt));
    }
  }
}

export const GetTemplateInput = /* @__PURE__ */ z.object({
  id: TemplateId,
  version: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.number().check(/* @__PURE__ */ z.int(), /* @__PURE__ */ z.positive())),
});

const get = /* @__PURE__ */ fn(GetTemplateInput, async ({ id, version }): Promise<Template> => {
  currentActor();
  if (version !== undefined) return readVersion(id, version);
  const head = await readHead(id);
  if (!head || head.deletedAt) throw notFound(id);
  return readVersion(id, head.version);
});

/**
 * The latest version of a live template, or, with `version`, that version,
 * also of a deleted template: a session that pinned it keeps working.
 */
export function getTemplate(id: string, version?: number): Promise<Template> {
  return get({ id, version });
}

export const ListTemplatesInput = /* @__PURE__ */ z.object({
  limit: /* @__PURE__ */ z._default(/* @__PURE__ */ z.number().check(/* @__PURE__ */ z.int(), /* @__PURE__ */ z.gte(1), /* @__PURE__ */ z.lte(100)), 20),
  cursor: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()),
});

export interface TemplatePage {
  items: TemplateSummary[];
  nextCursor?: string;
}

/** Live templates by id, each as its latest version's summary; one Query on the list's index partition. */
export const listTemplates = /* @__PURE__ */ fn(ListTemplatesInput, async (input): Promise<TemplatePage> => {
  currentActor();
  const page = await queryPage(templateKeys.byId.query(), { limit: input.limit, cursor: input.cursor, cursorFormat: templateKeys.byId.cursorFormat });
  return { items: page.items.map((item) => TemplateSummary.parse(item)), nextCursor: page.nextCursor };
});

/**
 * Takes a template off the list and out of `getTemplate(id)`; its versions
 * stay readable by number. Putting the id again goes on from the last
 * version. An unknown or already deleted template is `template.not_found`.
 */
export const deleteTemplate = /* @__PURE__ */ fn(TemplateId, async (id): Promise<void> => {
  assertOperator();
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: templateKeys.head(id),
        UpdateExpression: `SET deletedAt = :now REMOVE ${templateKeys.byId.attributeNames.join(", ")}`,
        ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(deletedAt)",
        ExpressionAttributeValues: { ":now": clock.now() },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw notFound(id, error);
    throw error;
  }
});

// Pure: a route that never reads a head does not build this at cold start.
const Head = /* @__PURE__ */ z.extend(TemplateSummary, { contentHash: /* @__PURE__ */ z.string(), deletedAt: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()) });
type Head = z.infer<typeof Head>;

async function readHead(id: string): Promise<Head | undefined> {
  const result = await documentClient.send(new GetCommand({ TableName: tableName, Key: templateKeys.head(id), ConsistentRead: true }));
  return result.Item ? Head.parse(result.Item) : undefined;
}

async function readVersion(id: string, version: number): Promise<Template> {
  // Version items never change, but one just written is only certainly visible to a consistent read.
  const result = await documentClient.send(new GetCommand({ TableName: tableName, Key: templateKeys.version(id, version), ConsistentRead: true }));
  if (!result.Item) throw new VisibleError("not_found", "template.not_found", `Template ${id} has no version ${version}`);
  return Template.parse(result.Item);
}

function headItem(template: Template, contentHash: string): Record<string, unknown> {
  const summary: TemplateSummary = {
    id: template.id,
    version: template.version,
    title: template.title,
    description: template.description,
    questionCount: template.questions.length,
    createdAt: template.createdAt,
  };
  return { ...templateKeys.head(template.id), ...templateKeys.byId.attributes(template.id), type: "template_head", ...summary, contentHash };
}

/** What makes two versions the same: everything an operator puts but the id, with keys in a fixed order. */
function contentHash(input: TemplateInput): string {
  const { id: _id, ...content } = input;
  return createHash("sha256").update(canonicalJson(content)).digest("base64url");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function assertOperator(): void {
  if (currentActor().type === "user") throw new VisibleError("unauthorized", "template.operators_only", "Only operators (with an API key) change templates");
}

const notFound = (id: string, cause?: unknown) => new VisibleError("not_found", "template.not_found", `Template ${id} not found`, undefined, { cause });
