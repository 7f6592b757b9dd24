import * as Template from "@coach/core/template";
import { httpRoute } from "../shared/route";
import { TemplatePath } from "./params";

export const handler = httpRoute(
  "DELETE /api/templates/{id}",
  { path: TemplatePath, summary: "Delete a questionnaire template: off the list, its versions still readable by number", response: { status: 204 } },
  async ({ path }) => {
    await Template.deleteTemplate(path.id);
    return { status: 204 };
  },
);
