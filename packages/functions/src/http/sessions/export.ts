import * as z from "zod";
import * as Conversation from "@coach/core/conversation";
import { flows } from "@coach/core/flows";
import { httpRoute } from "../shared/route";
import { SessionPath } from "./params";
import * as Schemas from "../openapi/schemas";

const Query = z.object({ format: Conversation.ExportFormat.default("json") });

export const handler = httpRoute("GET /api/sessions/{id}/export", { path: SessionPath, query: Query, summary: "Export a session as JSON or a Markdown transcript", response: { schema: Schemas.SessionExport } }, async ({ path, query }) => {
  const data = await Conversation.exportSession({ sessionId: path.id }, flows);
  const filename = `session-${data.session.id}.${query.format === "json" ? "json" : "md"}`;
  const disposition = { "content-disposition": `attachment; filename="${filename}"` };
  if (query.format === "json") return { body: data, headers: disposition };
  return { raw: Conversation.toMarkdown(data, flows), headers: { "content-type": "text/markdown; charset=utf-8", ...disposition } };
});
