import * as z from "../zod";

/**
 * A questionnaire template: the questions a `questionnaire` session asks,
 * one at a time, and the document it writes from the answers. Data, not
 * code: operators put new versions; a session pins the version it started
 * with, so editing a template never changes a questionnaire under way.
 */
export const QuestionKind = z.enum(["text", "number", "date", "choice", "email"]);
export type QuestionKind = z.infer<typeof QuestionKind>;

/** Ids name placeholders in the document body (`{{id}}`): letters, digits, `_` and `-`. */
export const TemplateId = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "1 to 64 lowercase letters, digits, _ or -, starting with a letter or digit"));
export const QuestionId = z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, "1 to 64 letters, digits, _ or -, starting with a letter"));

export const TemplateQuestion = z
  .object({
    id: QuestionId,
    text: z.string().check(z.trim(), z.minLength(1), z.maxLength(1000)),
    kind: QuestionKind,
    required: z._default(z.boolean(), true),
    /** The choices of a `choice` question (and only of one). */
    options: z.optional(z.array(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))).check(z.minLength(2), z.maxLength(50))),
    help: z.optional(z.string().check(z.trim(), z.maxLength(1000))),
  })
  .check(
    z.superRefine((question, context) => {
      if (question.kind === "choice" && !question.options) context.addIssue({ code: "custom", path: ["options"], message: "a choice question lists its options" });
      if (question.kind !== "choice" && question.options) context.addIssue({ code: "custom", path: ["options"], message: "only a choice question has options" });
      if (question.options && new Set(question.options).size !== question.options.length) context.addIssue({ code: "custom", path: ["options"], message: "options are unique" });
    }),
  );
export type TemplateQuestion = z.infer<typeof TemplateQuestion>;

const TemplateFields = z.object({
  id: TemplateId,
  title: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  description: z._default(z.string().check(z.trim(), z.maxLength(2000)), ""),
  questions: z.array(TemplateQuestion).check(z.minLength(1), z.maxLength(100)),
  document: z.object({
    title: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
    /** Markdown; `{{questionId}}` is replaced by that question's answer. */
    body: z.string().check(z.minLength(1), z.maxLength(100_000)),
  }),
});

/**
 * A stored template is one DynamoDB item (at most 400 KB): its JSON must fit
 * with room for the keys. The field limits alone would allow far more
 * (100 questions of 50 options each).
 */
export const MAX_TEMPLATE_BYTES = 300_000;

/** Question ids are unique, every placeholder of the body names a question, and the whole fits one item. */
function checkTemplate(template: Omit<z.output<typeof TemplateFields>, "id">, context: z.core.$RefinementCtx): void {
  const ids = template.questions.map((question) => question.id);
  const seen = new Set<string>();
  ids.forEach((id, index) => {
    if (seen.has(id)) context.addIssue({ code: "custom", path: ["questions", index, "id"], message: `question id "${id}" is used twice` });
    seen.add(id);
  });
  for (const match of template.document.body.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)) {
    if (!seen.has(match[1]!)) context.addIssue({ code: "custom", path: ["document", "body"], message: `the placeholder {{${match[1]}}} names no question` });
  }
  const bytes = Buffer.byteLength(JSON.stringify(template));
  if (bytes > MAX_TEMPLATE_BYTES) context.addIssue({ code: "custom", path: [], message: `the template is ${bytes} bytes as JSON; at most ${MAX_TEMPLATE_BYTES}` });
}

/** What an operator puts: everything but the version, which the store assigns. */
export const TemplateInput = TemplateFields.check(z.superRefine(checkTemplate));
export type TemplateInput = z.infer<typeof TemplateInput>;

/** A template as `PUT /api/templates/{id}` takes it: the path names it, so `id` may be left out (if given, it must be the path's). */
export const TemplateBody = z.extend(TemplateFields, { id: z.optional(TemplateId) }).check(z.superRefine(checkTemplate));
export type TemplateBody = z.infer<typeof TemplateBody>;

export const Template = z.object({
  id: TemplateId,
  /** 1, 2, …: assigned by the store on each put. */
  version: z.number().check(z.int(), z.positive()),
  title: z.string(),
  description: z.string(),
  questions: z.array(TemplateQuestion),
  document: z.object({ title: z.string(), body: z.string() }),
  createdAt: z.string(),
});
export type Template = z.infer<typeof Template>;

/** A template in a list: its latest version, without the questions and the document. */
export const TemplateSummary = z.object({
  id: TemplateId,
  version: z.number().check(z.int(), z.positive(), z.describe("The latest version")),
  title: z.string(),
  description: z.string(),
  questionCount: z.number().check(z.int(), z.positive()),
  createdAt: z.string().check(z.describe("When the latest version was stored")),
});
export type TemplateSummary = z.infer<typeof TemplateSummary>;
