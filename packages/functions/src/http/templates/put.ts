import * as Template from "@coach/core/template";
import { VisibleError } from "@coach/core/error";
import { httpRoute } from "../shared/route";
import { TemplatePath } from "./params";

export const handler = httpRoute(
  "PUT /api/templates/{id}",
  {
    path: TemplatePath,
    body: Template.TemplateBody,
    // A template may be up to MAX_TEMPLATE_BYTES as compact JSON; leave room for a pretty-printed one.
    maxBodyBytes: 512 * 1024,
    summary: "Store a new version of a questionnaire template (201); a body equal to the latest version stores nothing and answers it (200)",
    response: { status: 201, schema: Template.Template },
  },
  async ({ path, body }) => {
    if (body.id !== undefined && body.id !== path.id) {
      throw new VisibleError("invalid", "template.id_mismatch", `The body names template ${body.id}, the path ${path.id}`, {
        issues: [{ path: "id", message: "must equal the id in the path" }],
      });
    }
    const { template, created } = await Template.putTemplateIfChanged({ ...body, id: path.id });
    return { status: created ? 201 : 200, body: template };
  },
);
