/** A completed questionnaire's document: its title, its Markdown rendered, and downloads (Markdown, PDF) through the client. */
import type { Document, DocumentFormat } from "@coach/client";
import { useEffect, useId, useState } from "preact/hooks";
import { useApi } from "../api";
import { Markdown } from "../conversation/markdown";
import { errorText } from "../errors";
import { fileNameFor, saveFile } from "../sessions/download";

const EXTENSIONS: Record<DocumentFormat, string> = { markdown: "md", pdf: "pdf" };

export function DocumentPanel({ documentId }: { documentId: string }) {
  const { documents } = useApi();
  const [document, setDocument] = useState<Document>();
  const [busy, setBusy] = useState<DocumentFormat>();
  const [error, setError] = useState<string>();
  const headingId = useId();

  useEffect(() => {
    let current = true;
    setDocument(undefined);
    setError(undefined);
    documents.getDocument(documentId).then(
      (found) => current && setDocument(found),
      (failure: unknown) => current && setError(errorText(failure)),
    );
    return () => {
      current = false;
    };
  }, [documents, documentId]);

  const download = async (format: DocumentFormat) => {
    if (!document) return;
    setBusy(format);
    setError(undefined);
    try {
      const { blob, filename } = await documents.downloadDocument(document.id, format);
      // Cross-origin the server's Content-Disposition may be unreadable: name the file after the title.
      saveFile(blob, filename ?? fileNameFor(document.title, EXTENSIONS[format]));
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <section class="document" aria-labelledby={headingId}>
      <div class="document-head">
        <h3 id={headingId}>Document ready</h3>
        <div class="toolbar" role="group" aria-label="Downloads">
          <button type="button" disabled={!document || busy !== undefined} onClick={() => download("markdown")}>
            Download Markdown
          </button>
          <button type="button" class="primary" disabled={!document || busy !== undefined} onClick={() => download("pdf")}>
            Download PDF
          </button>
        </div>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {document ? (
        <>
          <p class="document-title">{document.title}</p>
          {/* Scrolls on its own, so it can be reached and scrolled by keyboard. */}
          <div class="document-body message-content" tabIndex={0} role="region" aria-label={document.title}>
            <Markdown text={document.markdown} />
          </div>
        </>
      ) : (
        !error && <p class="muted" role="status">Loading the document…</p>
      )}
    </section>
  );
}
