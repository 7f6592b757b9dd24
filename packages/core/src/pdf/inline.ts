import type { Token, Tokens } from "marked";
import type { FontStyle } from "./fonts";
import { decodeEntities, printable } from "./text";

/** A stretch of text in one style: what one `doc.text(…, { continued: true })` call draws. */
export interface Run extends FontStyle {
  text: string;
  link?: string;
  strike?: boolean;
}

type Style = Omit<Run, "text">;

/** Inline Markdown tokens (a paragraph's, a heading's, a cell's) as styled runs, adjacent runs of one style merged. */
export function runsOf(tokens: readonly Token[] | undefined, style: Style = {}): Run[] {
  const runs: Run[] = [];
  collect(tokens ?? [], style, runs);
  const merged: Run[] = [];
  for (const run of runs) {
    if (run.text === "") continue;
    const last = merged.at(-1);
    if (last && sameStyle(last, run)) last.text += run.text;
    else merged.push({ ...run });
  }
  return merged;
}

export const plainText = (runs: readonly Run[]): string => runs.map((run) => run.text).join("");

function collect(tokens: readonly Token[], style: Style, into: Run[]): void {
  const text = (value: string) => into.push({ ...style, text: printable(decodeEntities(value)) });
  for (const token of tokens) {
    switch (token.type) {
      case "strong":
        collect(token.tokens ?? [], { ...style, bold: true }, into);
        break;
      case "em":
        collect(token.tokens ?? [], { ...style, italic: true }, into);
        break;
      case "del":
        collect(token.tokens ?? [], { ...style, strike: true }, into);
        break;
      case "link":
        collect(token.tokens ?? [], { ...style, link: String(token.href) }, into);
        break;
      case "codespan":
        into.push({ ...style, code: true, text: printable(String(token.text)) });
        break;
      case "br":
        into.push({ ...style, text: "\n" });
        break;
      case "checkbox":
        into.push({ ...style, text: token.checked ? "[x] " : "[ ] " });
        break;
      case "image":
        text(`[image: ${String(token.text || token.href)}]`);
        break;
      case "html":
        // Inline tags are markup, not text; a line break is the one a reader would miss.
        if (/^<br\s*\/?>$/i.test(String(token.text).trim())) into.push({ ...style, text: "\n" });
        break;
      default: {
        const generic = token as Tokens.Generic;
        if (generic.tokens && generic.tokens.length > 0) collect(generic.tokens, style, into);
        // A soft line break inside a paragraph reads as a space.
        else if (typeof generic.text === "string") text(generic.text.replace(/\n/g, " "));
      }
    }
  }
}

const sameStyle = (a: Run, b: Run) =>
  Boolean(a.bold) === Boolean(b.bold) &&
  Boolean(a.italic) === Boolean(b.italic) &&
  Boolean(a.code) === Boolean(b.code) &&
  Boolean(a.strike) === Boolean(b.strike) &&
  a.link === b.link;
