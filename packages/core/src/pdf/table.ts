import type { Tokens } from "marked";
import { fontOf, type FontStyle } from "./fonts";
import { plainText, runsOf } from "./inline";
import type { Layout } from "./layout";
import { theme } from "./theme";

const PAD_X = 5;
const PAD_Y = 4;

type Align = "left" | "center" | "right";

interface Cell {
  text: string;
  /** The cell's one style: a header's bold, or the style of a cell written wholly in one (`**…**`, `` `…` ``). */
  style: FontStyle;
  align: Align;
}

/**
 * A GitHub pipe table: a shaded header row, columns as wide as their content
 * where the page allows, otherwise narrowed in proportion to how much each
 * would need (never below its longest word where that fits), cells wrapped
 * within them. A row is never split; one that does not fit below the cursor
 * starts a new page, where the header row is repeated.
 */
export function drawTable(layout: Layout, token: Tokens.Table, x: number, width: number): void {
  const doc = layout.doc;
  const toCell = (cell: Tokens.TableCell, header: boolean): Cell => {
    const runs = runsOf(cell.tokens);
    const single = runs.length === 1 ? runs[0]! : undefined;
    const style: FontStyle = header ? { bold: true } : { bold: single?.bold, italic: single?.italic, code: single?.code };
    return { text: plainText(runs), style, align: cell.align ?? "left" };
  };
  const header = token.header.map((cell) => toCell(cell, true));
  const rows = token.rows.map((row) => row.map((cell) => toCell(cell, false)));
  const columns = columnWidths(doc, [header, ...rows], width);

  const measure = (row: Cell[]) =>
    Math.max(
      ...row.map((cell, i) => {
        doc.font(fontOf(cell.style)).fontSize(theme.tableSize);
        return doc.heightOfString(cell.text || " ", { width: columns[i]! - 2 * PAD_X, lineGap: theme.lineGap });
      }),
    ) +
    2 * PAD_Y;

  const draw = (row: Cell[], height: number, shaded: boolean) => {
    const top = doc.y;
    // A row taller than a page is cut at the page's end rather than overflowing it.
    const clipped = Math.min(height, layout.bottom - top);
    let left = x;
    row.forEach((cell, i) => {
      const columnWidth = columns[i]!;
      if (shaded) doc.rect(left, top, columnWidth, clipped).fill(theme.shade);
      doc.rect(left, top, columnWidth, clipped).lineWidth(0.5).strokeColor(theme.rule).stroke();
      doc.font(fontOf(cell.style)).fontSize(theme.tableSize).fillColor(layout.textColor);
      doc.text(cell.text, left + PAD_X, top + PAD_Y, {
        width: columnWidth - 2 * PAD_X,
        align: cell.align,
        lineGap: theme.lineGap,
        ...(clipped < height ? { height: clipped - 2 * PAD_Y, ellipsis: true } : {}),
      });
      left += columnWidth;
    });
    doc.x = layout.left;
    doc.y = top + clipped;
  };

  // A header of empty cells (`| | |`, a key-value table's) is not drawn.
  const titled = header.some((cell) => cell.text.trim() !== "");
  const headerHeight = titled ? measure(header) : 0;
  const firstRowHeight = rows[0] ? measure(rows[0]) : 0;
  // The header never stands alone at the foot of a page.
  layout.ensure(headerHeight + firstRowHeight);
  if (titled) draw(header, headerHeight, true);
  for (const row of rows) {
    const height = measure(row);
    if (doc.y + height > layout.bottom) {
      doc.addPage();
      if (titled) draw(header, headerHeight, true);
    }
    draw(row, height, false);
  }
}

/** Column widths that add up to at most `available`. */
function columnWidths(doc: PDFKit.PDFDocument, rows: readonly Cell[][], available: number): number[] {
  const count = rows[0]?.length ?? 0;
  const natural = new Array<number>(count).fill(2 * PAD_X + 12);
  const minimum = new Array<number>(count).fill(2 * PAD_X + 12);
  for (const row of rows) {
    row.forEach((cell, i) => {
      doc.font(fontOf(cell.style)).fontSize(theme.tableSize);
      const lines = cell.text.split("\n");
      const words = cell.text.split(/\s+/);
      natural[i] = Math.max(natural[i]!, ...lines.map((line) => doc.widthOfString(line) + 2 * PAD_X + 1));
      minimum[i] = Math.max(minimum[i]!, ...words.map((word) => doc.widthOfString(word) + 2 * PAD_X + 1));
    });
  }
  if (natural.reduce((sum, w) => sum + w, 0) <= available) return natural;
  const widths = [...natural];
  // Columns that fit in a fair share of what is left keep their natural width, as a browser's table does.
  // Some column never fits: were they all to, the natural widths would add up to no more than `available`.
  let open = natural.map((_, i) => i);
  let remaining = available;
  for (;;) {
    const fair = remaining / open.length;
    const fitting = open.filter((i) => natural[i]! <= fair);
    if (fitting.length === 0) break;
    for (const i of fitting) remaining -= natural[i]!;
    open = open.filter((i) => natural[i]! > fair);
  }
  // The rest share what is left in proportion to what they lack, each keeping its longest word where that fits in its share.
  const floor = new Map(open.map((i) => [i, Math.min(minimum[i]!, remaining / open.length)]));
  const spare = remaining - [...floor.values()].reduce((sum, w) => sum + w, 0);
  const wanted = open.reduce((sum, i) => sum + natural[i]! - floor.get(i)!, 0);
  for (const i of open) widths[i] = floor.get(i)! + (wanted > 0 ? (spare * (natural[i]! - floor.get(i)!)) / wanted : spare / open.length);
  return widths;
}
