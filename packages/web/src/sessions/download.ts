/** Saves the session's export as a file: fetched through the client (it needs the bearer token, a plain link would not carry it). */
import type { ConversationClient } from "@coach/client";

export type DownloadFormat = "markdown" | "json";

export async function downloadExport(rest: ConversationClient, sessionId: string, format: DownloadFormat): Promise<void> {
  const [text, type, extension] =
    format === "markdown"
      ? [await rest.exportSession(sessionId, "markdown"), "text/markdown", "md"]
      : [JSON.stringify(await rest.exportSession(sessionId, "json"), null, 2), "application/json", "json"];
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const link = document.createElement("a");
  link.href = url;
  link.download = `session-${sessionId}.${extension}`;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
