/**
 * Questionnaire templates: the questions a `questionnaire` session asks and
 * the document it writes, stored in versions. Operators put and delete them
 * (REST with an API key, `pnpm template`); anyone signed in reads them.
 * Handlers import this as a namespace: `Template.getTemplate(...)`.
 */
export {
  QuestionKind,
  QuestionId,
  TemplateId,
  TemplateQuestion,
  TemplateInput,
  TemplateBody,
  Template,
  TemplateSummary,
  MAX_TEMPLATE_BYTES,
} from "./schema";
export { putTemplate, putTemplateIfChanged, getTemplate, listTemplates, deleteTemplate, GetTemplateInput, ListTemplatesInput } from "./store";
export type { PutResult, TemplatePage } from "./store";
