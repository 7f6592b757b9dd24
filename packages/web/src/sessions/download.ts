/** Saves the session's export as a file: fetched through the client (it needs the bearer token, a plain link would not carry it). */
import type { ConversationClient } from "@coach/client";

export type DownloadFormat = "markdown" | "json";

export async function downloadExport(rest: ConversationClient, sessionId: string, format: DownloadFormat): Promise<void> {
  const [text, type, extension] =
    format === "markdown"
      ? [await rest.exportSession(sessionId, "markdown"), "text/markdown", "md"]
      : [JSON.stringify(await rest.exportSession(sessionId, "json"), null, 2), "application/json", "json"];
  saveFile(new Blob([text], { type: `${type};charset=utf-8` }), `session-${sessionId}.${extension}`);
}

/** Hands the bytes to the browser as a download named `filename`. */
export function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name from something a user titled: what file systems refuse becomes "-". */
export function fileNameFor(title: string, extension: string): string {
  const name = title.replace(/[\u0000-\u001f\u007f"\\/:*?<>|]+/g, "-").trim().slice(0, 150);
  return `${name || "document"}.${extension}`;
}
