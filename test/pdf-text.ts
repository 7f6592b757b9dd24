import { execFile } from "node:child_process";

/**
 * A PDF read back the way a person's tools read it: poppler's `pdftotext`
 * (Debian's poppler-utils, which .ci/run installs), a reader independent of
 * the pdfkit that wrote it. `layout` keeps the page's columns (table rows on
 * one line); without it, text comes in reading order.
 */
export async function pdfText(pdf: Uint8Array, options: { layout?: boolean; page?: number } = {}): Promise<string> {
  const args = [
    ...(options.layout ? ["-layout"] : []),
    ...(options.page ? ["-f", String(options.page), "-l", String(options.page)] : []),
    "-enc",
    "UTF-8",
    "-",
    "-",
  ];
  return run("pdftotext", args, pdf);
}

/** `pdfinfo`'s fields (Title, Pages, CreationDate, …). */
export async function pdfInfo(pdf: Uint8Array): Promise<Record<string, string>> {
  const text = await run("pdfinfo", ["-isodates", "-"], pdf);
  return Object.fromEntries(
    text
      .split("\n")
      .map((line) => /^([^:]+):\s*(.*)$/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => [match[1]!.trim(), match[2]!.trim()]),
  );
}

/** Whitespace collapsed, so text wrapped across lines or pages compares as written. */
export const flat = (text: string): string => text.replace(/\s+/g, " ").trim();

function run(command: string, args: string[], input: Uint8Array): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === "ENOENT") {
        reject(new Error(`${command} is not installed: apt-get install poppler-utils (.ci/run does)`));
      } else if (error) reject(new Error(`${command} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
    child.stdin?.end(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
  });
}
