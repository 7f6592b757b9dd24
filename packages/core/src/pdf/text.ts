/**
 * Text as the PDF's fonts can show it. The renderer uses the PDF standard
 * fonts (Helvetica, Courier): nothing to embed, a small bundle, and they
 * cover Windows-1252, i.e. Latin-1 plus typographic punctuation. Anything
 * else is spelled in those characters where there is a usual spelling
 * (arrows, comparison signs, the feedback thumbs), loses its accents where
 * it decomposes to a Latin letter, and is a `?` otherwise, rather than the
 * wrong glyph pdfkit would draw for it.
 */

/** The characters Windows-1252 adds to Latin-1 in 0x80–0x9F (pdfkit's WIN_ANSI_MAP). */
const WINDOWS_1252_EXTRAS = new Set(
  [0x20ac, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x017d, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x017e, 0x0178],
);

const SPELLED: Readonly<Record<string, string>> = {
  "→": "->",
  "←": "<-",
  "↔": "<->",
  "⇒": "=>",
  "⇐": "<=",
  "↑": "^",
  "↓": "v",
  "≥": ">=",
  "≤": "<=",
  "≠": "!=",
  "≈": "~",
  "−": "-",
  "‐": "-",
  "‑": "-",
  "‒": "-",
  "―": "-",
  "′": "'",
  "″": '"',
  "✓": "[x]",
  "✔": "[x]",
  "✗": "[ ]",
  "✘": "[ ]",
  "☐": "[ ]",
  "☑": "[x]",
  "☒": "[x]",
  "★": "*",
  "☆": "*",
  "👍": "(+1)",
  "👎": "(-1)",
  "\u2028": "\n",
  "\u2029": "\n",
};

const representable = (code: number) => (code >= 0x20 && code < 0x7f) || (code >= 0xa0 && code <= 0xff) || WINDOWS_1252_EXTRAS.has(code);

/** `text` in characters the standard fonts draw; newlines are kept, tabs become spaces, other control characters go. */
export function printable(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === "\n") out += char;
    else if (char === "\t") out += "    ";
    else if (representable(code)) out += char;
    else if (SPELLED[char] !== undefined) out += SPELLED[char];
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0) || (code >= 0x200b && code <= 0x200f) || code === 0xfeff || (code >= 0xfe00 && code <= 0xfe0f)) continue;
    else if ((code >= 0x2000 && code <= 0x200a) || code === 0x202f || code === 0x205f || code === 0x3000) out += " ";
    else out += decomposed(char);
  }
  return out;
}

/** A letter with diacritics the fonts lack as its base letter (ő → o), else `?` (ł has no decomposition). */
function decomposed(char: string): string {
  const base = char.normalize("NFKD").replace(/\p{M}/gu, "");
  return base.length > 0 && [...base].every((c) => representable(c.codePointAt(0)!)) ? base : "?";
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0", copy: "©", reg: "®", hellip: "…", mdash: "—", ndash: "–" };

/** Markdown passes HTML entities through as written; a PDF has to show what they stand for. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, (whole, body: string) => {
    if (body[0] === "#") {
      const code = body[1] === "x" || body[1] === "X" ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}
