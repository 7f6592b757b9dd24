import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { renderMarkdownPdf } from "@coach/core/pdf";
import { shippedOptions } from "../../../scripts/bench/bundle";
import { flat, pdfInfo, pdfText } from "../../../test/pdf-text";

/**
 * The Markdown → PDF renderer, judged by what poppler reads back out of the
 * PDF: the text of every kind of block, table rows kept together, pages,
 * metadata. No snapshot of bytes: those change with pdfkit.
 */
const meta = { title: "Team OKRs — Q3", createdAt: "2026-07-01T09:30:00.000Z" };

const sample = `# Team OKRs

An intro with **bold words**, *italic words*, \`inline code\` and a [link to the plan](https://example.com/plan).

## Objective

> Make Habitly the app people open every week
> to keep their habits on track.

### Key results

1. Grow weekly active users from 12,000 to 18,000
2. Raise 4-week retention from 22% to 35%

- First bullet
- Second bullet
  - Nested bullet

| Key result | Baseline | Target |
| --- | ---: | ---: |
| Weekly active users | 12,000 | 18,000 |
| Four-week retention | 22% | 35% |

---

\`\`\`
npm run report -- --quarter Q3
\`\`\`

Closing paragraph.
`;

describe("renderMarkdownPdf", () => {
  it("renders headings, styled paragraphs, quotes, lists, tables, rules and code as readable text", async () => {
    const pdf = await renderMarkdownPdf(sample, meta);
    expect(Buffer.from(pdf).subarray(0, 5).toString()).toBe("%PDF-");
    const text = flat(await pdfText(pdf));
    for (const expected of [
      "Team OKRs",
      "Objective",
      "Key results",
      "An intro with bold words, italic words, inline code and a link to the plan.",
      "Make Habitly the app people open every week to keep their habits on track.",
      "1. Grow weekly active users from 12,000 to 18,000",
      "2. Raise 4-week retention from 22% to 35%",
      "• First bullet",
      "• Second bullet",
      "– Nested bullet",
      "npm run report -- --quarter Q3",
      "Closing paragraph.",
    ]) {
      expect(text, expected).toContain(expected);
    }
    // Markdown syntax is rendered, not printed.
    expect(text).not.toMatch(/\*\*|\||```|^#|> Make/);
    const rows = (await pdfText(pdf, { layout: true })).split("\n").map((line) => line.trim().split(/\s{2,}/));
    expect(rows).toContainEqual(["Key result", "Baseline", "Target"]);
    expect(rows).toContainEqual(["Weekly active users", "12,000", "18,000"]);
    expect(rows).toContainEqual(["Four-week retention", "22%", "35%"]);
  });

  it("puts the title and the creation date in the metadata, and renders the same input to the same bytes", async () => {
    const pdf = await renderMarkdownPdf(sample, meta);
    const info = await pdfInfo(pdf);
    expect(info.Title).toBe("Team OKRs — Q3");
    expect(info.CreationDate).toBe("2026-07-01T09:30:00Z");
    expect(info.Pages).toBe("1");
    expect(Buffer.from(await renderMarkdownPdf(sample, meta)).equals(Buffer.from(pdf))).toBe(true);
    expect(Buffer.from(await renderMarkdownPdf(sample, { ...meta, createdAt: "2026-07-02T09:30:00.000Z" })).equals(Buffer.from(pdf))).toBe(false);
  });

  it("breaks pages, numbers them in the footer, and repeats a table's header row on every page it spans", async () => {
    const rows = Array.from({ length: 80 }, (_, i) => `| KR ${i + 1} | Grow weekly active teams from ${i * 10} to ${i * 10 + 50}, measured every Monday in the product dashboard | ${i % 100}% |`);
    const markdown = ["# Long table", "", "| Key result | Description | Progress |", "| --- | --- | ---: |", ...rows, "", "After the table."].join("\n");
    const pdf = await renderMarkdownPdf(markdown, meta);
    const pages = Number((await pdfInfo(pdf)).Pages);
    expect(pages).toBeGreaterThan(2);
    const all = flat(await pdfText(pdf));
    for (let i = 1; i <= 80; i++) expect(all).toContain(`KR ${i} `);
    expect(all).toContain("After the table.");
    for (let page = 1; page <= pages; page++) {
      const text = await pdfText(pdf, { page, layout: true });
      expect(text, `page ${page}`).toContain(`Page ${page} of ${pages}`);
      expect(text, `page ${page}`).toContain("Team OKRs — Q3 · 2026-07-01");
      if (page < pages) expect(text, `page ${page}`).toMatch(/Key result\s+Description\s+Progress/);
    }
    // No row is split across pages: a row's cells start on one line, and its wrapped rest is on the same page.
    let seen = 0;
    for (let page = 1; page <= pages; page++) {
      const text = await pdfText(pdf, { page, layout: true });
      const starts = [...text.matchAll(/^\s*KR (\d+)\s+Grow .*\s(\d+)%\s*$/gm)];
      for (const [line, kr, progress] of starts) expect(Number(progress), line).toBe(Number(kr) - 1);
      expect(text.match(/^\s*dashboard\s*$/gm) ?? [], `page ${page}`).toHaveLength(starts.length);
      seen += starts.length;
    }
    expect(seen).toBe(80);
  });

  it("sizes a wide table's columns to the page and wraps its cells inside them", async () => {
    const long = "a long cell that has many words and has to wrap onto several lines to fit";
    const markdown = [
      "| Alpha | Beta | Gamma | Delta | Epsilon | Zeta |",
      "| --- | --- | --- | --- | --- | --- |",
      `| ${long} | ${long} | short | ${long} | https://example.com/a/very/long/unbroken/address/that/is/wider/than/its/column | ${long} |`,
    ].join("\n");
    const pdf = await renderMarkdownPdf(markdown, meta);
    const words = await wordBoxes(pdf);
    const pageWidth = 595.28;
    expect(words.length).toBeGreaterThan(40);
    for (const word of words) expect(word.xMax, word.text).toBeLessThanOrEqual(pageWidth - 56 + 0.5);
    for (const word of words) expect(word.xMin, word.text).toBeGreaterThanOrEqual(56 - 0.5);
    const text = flat(await pdfText(pdf));
    for (const header of ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "short"]) expect(text).toContain(header);
    // Every word of every long cell is there, wrapped rather than cut.
    expect(text.split(" ").filter((word) => word === "wrap")).toHaveLength(4);
    expect((await pdfInfo(pdf)).Pages).toBe("1");
  });

  it("draws text beyond the standard fonts' Latin-1 as the nearest readable spelling, never as the wrong glyphs", async () => {
    const pdf = await renderMarkdownPdf("Café résumé — naïve “quotes” → done ≥ 3 👍 ő ł &amp; &lt;b&gt; &#169;", meta);
    expect(flat(await pdfText(pdf))).toBe("Café résumé — naïve “quotes” -> done >= 3 (+1) o ? & <b> © Team OKRs — Q3 · 2026-07-01 Page 1 of 1");
  });

  it("renders an empty document as one page with only the footer", async () => {
    const pdf = await renderMarkdownPdf("", meta);
    expect((await pdfInfo(pdf)).Pages).toBe("1");
    expect(flat(await pdfText(pdf))).toBe("Team OKRs — Q3 · 2026-07-01 Page 1 of 1");
  });

  it("works bundled as a Lambda bundles it, loaded lazily from its own chunk, with no pdfkit package beside it", async () => {
    const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), "coach-pdf-bundle-"));
    // As the PDF routes do: a dynamic import, which the split bundle turns into a chunk of its own.
    writeFileSync(
      join(dir, "main.ts"),
      `import { writeFileSync } from "node:fs";\nconst { renderMarkdownPdf } = await import(${JSON.stringify(join(repoRoot, "packages/core/src/pdf/index.ts"))});\nwriteFileSync(new URL("./out.pdf", import.meta.url), await renderMarkdownPdf("# Bundled\\n\\n**bold** and \`code\`", { title: "b", createdAt: "2026-01-01T00:00:00Z" }));\n`,
    );
    const result = await build({ ...shippedOptions, absWorkingDir: repoRoot, entryPoints: [join(dir, "main.ts")], outdir: join(dir, "out"), metafile: true, logLevel: "silent" });
    expect(Object.keys(result.metafile.outputs).length).toBeGreaterThan(1);
    await promisify(execFile)(process.execPath, [join(dir, "out", "main.mjs")], { cwd: dir });
    expect(flat(await pdfText(readFileSync(join(dir, "out", "out.pdf"))))).toContain("Bundled bold and code");
  });
});

/** Every word pdftotext finds, with its box in points (`-bbox`). */
async function wordBoxes(pdf: Uint8Array): Promise<{ text: string; xMin: number; xMax: number }[]> {
  const dir = mkdtempSync(join(tmpdir(), "coach-pdf-"));
  writeFileSync(join(dir, "in.pdf"), pdf);
  await promisify(execFile)("pdftotext", ["-bbox", join(dir, "in.pdf"), join(dir, "out.html")]);
  const html = readFileSync(join(dir, "out.html"), "utf8");
  return [...html.matchAll(/<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<\/word>/g)].map((m) => ({
    xMin: Number(m[1]),
    xMax: Number(m[2]),
    text: m[3]!,
  }));
}
