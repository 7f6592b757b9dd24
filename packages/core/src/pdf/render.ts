import { Lexer } from "marked";
import PDFDocument from "pdfkit";
import { fontOf } from "./fonts";
import { Layout } from "./layout";
import { printable } from "./text";
import { theme } from "./theme";

export interface PdfMetadata {
  /** The PDF's title (its metadata, the viewer's window title) and the footer's. */
  title: string;
  /** The document's creation date: the PDF's CreationDate and ModDate, so the same input gives the same bytes. */
  createdAt: string | Date;
  author?: string;
  subject?: string;
}

const MARGINS = { top: 56, bottom: 64, left: 56, right: 56 };
const FOOTER_SIZE = 8;

/**
 * Markdown (CommonMark + GitHub tables, task lists, strikethrough) as an A4
 * PDF: headings (the first three levels also as bookmarks), paragraphs with
 * bold, italic, code and links, bullet and numbered lists (nested), tables,
 * block quotes, code blocks and rules; page breaks where text runs out, a
 * footer with the title, the date and the page number. Pure: no I/O, and
 * deterministic for the same input (pdfkit derives the file id from the
 * metadata, which holds `createdAt`, not the time of rendering).
 */
export async function renderMarkdownPdf(markdown: string, metadata: PdfMetadata): Promise<Uint8Array> {
  const created = new Date(metadata.createdAt);
  if (Number.isNaN(created.getTime())) throw new Error(`renderMarkdownPdf: createdAt is not a date: ${String(metadata.createdAt)}`);
  const doc = new PDFDocument({
    size: "A4",
    margins: MARGINS,
    bufferPages: true,
    displayTitle: true,
    info: {
      Title: metadata.title,
      ...(metadata.author ? { Author: metadata.author } : {}),
      ...(metadata.subject ? { Subject: metadata.subject } : {}),
      Creator: "coach",
      Producer: "coach (pdfkit)",
      CreationDate: created,
      ModDate: created,
    },
  });
  const chunks: Uint8Array[] = [];
  const finished = new Promise<Uint8Array>((resolve, reject) => {
    doc.on("data", (chunk: Uint8Array) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });

  const layout = new Layout(doc);
  doc.fillColor(theme.text);
  layout.blocks(new Lexer({ gfm: true }).lex(markdown), 0);
  layout.finish();
  footers(doc, `${printable(metadata.title)} · ${created.toISOString().slice(0, 10)}`);
  doc.end();
  return finished;
}

/** The title and date left, `Page n of m` right, in the bottom margin of every page. */
function footers(doc: PDFKit.PDFDocument, label: string): void {
  const { start, count } = doc.bufferedPageRange();
  for (let index = start; index < start + count; index++) {
    doc.switchToPage(index);
    const { margins, width, height } = doc.page;
    const bottom = margins.bottom;
    // Text below maxY() would start a new page; the footer lives in the margin.
    margins.bottom = 0;
    const y = height - bottom + 24;
    const inner = width - margins.left - margins.right;
    doc.font(fontOf({})).fontSize(FOOTER_SIZE).fillColor(theme.muted);
    const pageLabel = `Page ${index - start + 1} of ${count}`;
    const labelWidth = inner - doc.widthOfString(pageLabel) - 12;
    doc.text(label, margins.left, y, { width: labelWidth, lineBreak: false, ellipsis: true, height: FOOTER_SIZE + 2 });
    doc.text(pageLabel, margins.left, y, { width: inner, align: "right", lineBreak: false });
    margins.bottom = bottom;
  }
}
