/**
 * Markdown → PDF. Heavy (pdfkit and a Markdown lexer): import it only where
 * a PDF is made, and there lazily (`await import("@coach/core/pdf")`), so
 * the route's other answers and every other route start without it.
 */
export { renderMarkdownPdf } from "./render";
export type { PdfMetadata } from "./render";
