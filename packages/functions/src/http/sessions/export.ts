import * as z from "@coach/core/zod";
import * as Conversation from "@coach/core/conversation";
import { flows } from "@coach/core/flows";
import { httpRoute } from "../shared/route";
import { SessionPath } from "./params";
import * as Schemas from "../openapi/schemas";

/** PDF is the Markdown transcript rendered; it is a transport's format, so core's ExportFormat does not name it. */
const Format = z.enum([...Conversation.ExportFormat.options, "pdf"]);
const Query = z.object({ format: z._default(Format, "json") });

const extension = { json: "json", markdown: "md", pdf: "pdf" } as const;

export const handler = httpRoute(
  "GET /api/sessions/{id}/export",
  { path: SessionPath, query: Query, summary: "Export a session as JSON, a Markdown transcript or a PDF of it", response: { schema: Schemas.SessionExport } },
  async ({ path, query }) => {
    const data = await Conversation.exportSession({ sessionId: path.id }, flows);
    const disposition = { "content-disposition": `attachment; filename="session-${data.session.id}.${extension[query.format]}"` };
    if (query.format === "json") return { body: data, headers: disposition };
    const markdown = Conversation.toMarkdown(data, flows);
    if (query.format === "markdown") return { raw: markdown, headers: { "content-type": "text/markdown; charset=utf-8", ...disposition } };
    // Lazily: pdfkit and the Markdown lexer load on the first PDF, not at cold start.
    const { renderMarkdownPdf } = await import("@coach/core/pdf");
    const pdf = await renderMarkdownPdf(markdown, { title: `Session ${data.session.id}`, createdAt: data.exportedAt, subject: `${data.session.flow} session export` });
    return { binary: pdf, headers: { "content-type": "application/pdf", ...disposition } };
  },
);
