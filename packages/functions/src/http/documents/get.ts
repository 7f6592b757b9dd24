import * as z from "@coach/core/zod";
import * as Documents from "@coach/core/document";
import { attachment } from "../shared/download";
import { httpRoute } from "../shared/route";
import { DocumentPath } from "./params";

const Query = z.object({
  format: z._default(z.enum(["json", "markdown", "pdf"]), "json").check(z.describe("`json` (the document with its Markdown), `markdown` or `pdf` (downloads)")),
});

export const handler = httpRoute(
  "GET /api/documents/{id}",
  { path: DocumentPath, query: Query, summary: "One document: as JSON, or its Markdown or a PDF of it as a download", response: { schema: Documents.Info } },
  async ({ path, query, userId }) => {
    const document = await Documents.getDocument(userId, path.id);
    if (query.format === "json") return { body: document };
    if (query.format === "markdown") {
      return { raw: document.markdown, headers: { "content-type": "text/markdown; charset=utf-8", "content-disposition": attachment(document.title, "md") } };
    }
    // Lazily: pdfkit and the Markdown lexer load on the first PDF, not at cold start.
    const { renderMarkdownPdf } = await import("@coach/core/pdf");
    const pdf = await renderMarkdownPdf(document.markdown, { title: document.title, createdAt: document.createdAt });
    return { binary: pdf, headers: { "content-type": "application/pdf", "content-disposition": attachment(document.title, "pdf") } };
  },
);
