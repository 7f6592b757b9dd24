import type { Token, Tokens } from "marked";
import { fontOf } from "./fonts";
import { plainText, runsOf, type Run } from "./inline";
import { drawTable } from "./table";
import { decodeEntities, printable } from "./text";
import { theme } from "./theme";

const QUOTE_INDENT = 14;
const LIST_GAP = 2;
const CODE_PADDING = 6;
const BULLETS = ["•", "–", "·"] as const;

/** A bar beside a block quote, on one page (a quote across a page break has one per page). */
interface QuoteBar {
  page: number;
  x: number;
  from: number;
  to: number;
}

/** An outline (bookmark) entry of pdfkit's, enough to nest headings. */
interface OutlineItem {
  addItem(title: string): OutlineItem;
}

/**
 * Lays Markdown blocks out on pdfkit pages, top to bottom: the cursor is
 * `doc.y`; pdfkit breaks long text across pages itself, the layout breaks
 * before blocks that must not be split from what follows (a heading, a list
 * marker, a table row, a line of code). Decorations that depend on where a
 * page ended (quote bars) are drawn once everything is placed.
 */
export class Layout {
  private page = 0;
  private readonly openQuotes: { x: number; from: number }[] = [];
  private readonly bars: QuoteBar[] = [];
  private readonly outline: (OutlineItem | undefined)[] = [];
  private color: string = theme.text;

  constructor(readonly doc: PDFKit.PDFDocument) {
    doc.on("pageAdded", () => {
      for (const quote of this.openQuotes) {
        this.bars.push({ page: this.page, x: quote.x, from: quote.from, to: this.bottom });
        quote.from = this.top;
      }
      this.page += 1;
    });
  }

  get left(): number {
    return this.doc.page.margins.left;
  }
  get width(): number {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right;
  }
  get top(): number {
    return this.doc.page.margins.top;
  }
  get bottom(): number {
    return this.doc.page.maxY();
  }

  /** Starts a new page unless `height` fits below the cursor (or the cursor is at the top already: it will never fit better). */
  ensure(height: number): void {
    if (this.doc.y + height > this.bottom && this.doc.y > this.top + 1) this.doc.addPage();
  }

  private gap(points: number): void {
    if (this.doc.y > this.top + 1) this.doc.y += points;
  }

  blocks(tokens: readonly Token[], indent: number): void {
    for (const token of tokens) this.block(token, indent);
  }

  private block(token: Token, indent: number): void {
    const x = this.left + indent;
    const width = this.width - indent;
    switch (token.type) {
      case "space":
      case "def":
        return;
      case "heading":
        return this.heading(token as Tokens.Heading, x, width);
      case "paragraph":
      case "text":
        this.runs(runsOf(token.tokens ?? [{ type: "text", raw: String(token.text), text: String(token.text) }]), x, width, theme.bodySize);
        this.doc.y += theme.blockGap;
        return;
      case "list":
        this.list(token as Tokens.List, indent, 0);
        this.doc.y += theme.blockGap - LIST_GAP;
        return;
      case "blockquote":
        return this.quote(token as Tokens.Blockquote, indent);
      case "code":
        return this.code(String(token.text), x, width);
      case "hr":
        return this.rule(x, width);
      case "table":
        drawTable(this, token as Tokens.Table, x, width);
        this.doc.y += theme.blockGap;
        return;
      case "html": {
        const text = decodeEntities(String(token.text).replace(/<[^>]*>/g, "")).trim();
        if (text) this.runs([{ text: printable(text) }], x, width, theme.bodySize);
        if (text) this.doc.y += theme.blockGap;
        return;
      }
      default: {
        const generic = token as Tokens.Generic;
        if (generic.tokens) this.runs(runsOf(generic.tokens), x, width, theme.bodySize);
        else if (typeof generic.text === "string") this.runs([{ text: printable(generic.text) }], x, width, theme.bodySize);
        this.doc.y += theme.blockGap;
      }
    }
  }

  /** Styled runs as one paragraph at `x`, wrapped to `width` (pdfkit's continued text). */
  runs(runs: readonly Run[], x: number, width: number, size: number, options: { align?: "left" | "center" | "right" } = {}): void {
    if (runs.length === 0) return;
    const doc = this.doc.fontSize(size);
    runs.forEach((run, index) => {
      doc.font(fontOf(run)).fillColor(run.link ? theme.link : this.color);
      const textOptions: PDFKit.Mixins.TextOptions = {
        width,
        align: options.align ?? "left",
        lineGap: theme.lineGap,
        continued: index < runs.length - 1,
        underline: run.link !== undefined,
        strike: run.strike === true,
        link: run.link ?? null,
      };
      if (index === 0) doc.text(run.text, x, doc.y, textOptions);
      else doc.text(run.text, textOptions);
    });
    doc.x = this.left;
  }

  private heading(token: Tokens.Heading, x: number, width: number): void {
    const size = theme.headingSizes[Math.min(token.depth, 6) - 1] ?? theme.bodySize;
    const runs = runsOf(token.tokens, { bold: true });
    const title = plainText(runs);
    this.gap(size * 0.7);
    this.doc.font(fontOf({ bold: true })).fontSize(size);
    const height = this.doc.heightOfString(title || " ", { width, lineGap: theme.lineGap });
    // Never the last thing on a page: keep it with two lines of what follows.
    this.ensure(height + 2 * (theme.bodySize + theme.lineGap) + 8);
    this.addOutline(token.depth, title);
    this.runs(runs, x, width, size);
    if (token.depth <= 2) {
      const y = this.doc.y + 1;
      this.doc.moveTo(x, y).lineTo(x + width, y).lineWidth(0.6).strokeColor(theme.rule).stroke();
      this.doc.y = y + 4;
    }
    this.doc.y += 4;
  }

  /** Headings down to level 3 become the PDF's outline (bookmarks), nested by level. */
  private addOutline(depth: number, title: string): void {
    if (depth > 3 || !title) return;
    const root = this.doc.outline as unknown as OutlineItem;
    const parent = this.outline.slice(0, depth - 1).reverse().find((item) => item !== undefined) ?? root;
    this.outline[depth - 1] = parent.addItem(title);
    this.outline.length = depth;
  }

  private list(token: Tokens.List, indent: number, depth: number): void {
    const doc = this.doc;
    const start = typeof token.start === "number" ? token.start : 1;
    const markers = token.items.map((_, i) => (token.ordered ? `${start + i}.` : BULLETS[Math.min(depth, BULLETS.length - 1)]!));
    doc.font(fontOf({})).fontSize(theme.bodySize);
    const markerWidth = Math.max(...markers.map((marker) => doc.widthOfString(marker))) + 6;
    const x = this.left + indent;
    const lineHeight = theme.bodySize + theme.lineGap;
    token.items.forEach((item, index) => {
      this.ensure(lineHeight + 2);
      const y = doc.y;
      doc.font(fontOf({})).fontSize(theme.bodySize).fillColor(this.color);
      doc.text(markers[index]!, x, y, { width: markerWidth, lineBreak: false, align: token.ordered ? "right" : "left" });
      doc.y = y;
      this.item(item, indent + markerWidth + (token.ordered ? 4 : 0), depth);
      doc.y += token.loose ? theme.blockGap : LIST_GAP;
    });
  }

  /** An item's content: its inline text (a task's checkbox with it), paragraphs, nested lists and any other block. */
  private item(item: Tokens.ListItem, indent: number, depth: number): void {
    const x = this.left + indent;
    const width = this.width - indent;
    let inline: Token[] = [];
    const flush = () => {
      if (inline.length > 0) this.runs(runsOf(inline), x, width, theme.bodySize);
      inline = [];
    };
    item.tokens.forEach((token, index) => {
      if (token.type === "checkbox" || token.type === "text") {
        inline.push(token);
        return;
      }
      flush();
      if (token.type === "list") {
        this.doc.y += LIST_GAP;
        this.list(token as Tokens.List, indent, depth + 1);
      } else if (token.type === "paragraph" && index === item.tokens.length - 1) {
        this.runs(runsOf(token.tokens), x, width, theme.bodySize);
      } else {
        this.block(token, indent);
      }
    });
    flush();
  }

  private quote(token: Tokens.Blockquote, indent: number): void {
    const quote = { x: this.left + indent + 2, from: this.doc.y };
    this.openQuotes.push(quote);
    const outer = this.color;
    this.color = theme.muted;
    this.blocks(token.tokens, indent + QUOTE_INDENT);
    this.color = outer;
    this.openQuotes.pop();
    this.bars.push({ page: this.page, x: quote.x, from: quote.from, to: this.doc.y - theme.blockGap });
    this.doc.y += 2;
  }

  /** A fenced or indented code block, on a shaded band, one line at a time so it breaks between lines. */
  private code(text: string, x: number, width: number): void {
    const doc = this.doc;
    const lines = printable(text).split("\n");
    const inner = width - 2 * CODE_PADDING;
    doc.font(fontOf({ code: true })).fontSize(theme.codeSize);
    const band = (y: number, height: number) => {
      doc.rect(x, y, width, height).fill(theme.shade);
    };
    this.ensure(CODE_PADDING + theme.codeSize + theme.lineGap);
    band(doc.y, CODE_PADDING);
    doc.y += CODE_PADDING;
    for (const line of lines) {
      const height = doc.heightOfString(line || " ", { width: inner, lineGap: theme.lineGap });
      this.ensure(height);
      const y = doc.y;
      band(y, height);
      doc.font(fontOf({ code: true })).fontSize(theme.codeSize).fillColor(theme.text);
      doc.text(line || " ", x + CODE_PADDING, y, { width: inner, lineGap: theme.lineGap });
      doc.y = y + height;
    }
    band(doc.y, CODE_PADDING);
    doc.y += CODE_PADDING + theme.blockGap;
    doc.x = this.left;
  }

  private rule(x: number, width: number): void {
    this.ensure(14);
    const y = this.doc.y + 5;
    this.doc.moveTo(x, y).lineTo(x + width, y).lineWidth(1).strokeColor(theme.rule).stroke();
    this.doc.y = y + 5 + theme.blockGap;
  }

  /** What can only be drawn once every page exists: the quote bars. */
  finish(): void {
    for (const bar of this.bars) {
      if (bar.to <= bar.from) continue;
      this.doc.switchToPage(bar.page);
      this.doc.moveTo(bar.x, bar.from).lineTo(bar.x, bar.to).lineWidth(2.5).strokeColor(theme.rule).stroke();
    }
  }

  get textColor(): string {
    return this.color;
  }
}
