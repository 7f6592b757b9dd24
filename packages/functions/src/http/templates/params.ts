import * as z from "@coach/core/zod";
import * as Template from "@coach/core/template";

export { queryInt } from "../shared/query-int";

/** Path shape shared by the template routes. */
export const TemplatePath = /* @__PURE__ */ z.object({ id: Template.TemplateId });
