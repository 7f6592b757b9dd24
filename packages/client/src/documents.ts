/**
 * The caller's generated documents (`/api/documents…`), with the user's JWT:
 * what a questionnaire session writes when it completes (`session_complete`
 * names it), as JSON, Markdown or PDF.
 */
import { bearer, fileNameOf, HttpClient, seg, type HttpOptions, type TokenSource } from "./http";
import type { Document, DocumentDownload, DocumentFormat, DocumentPage, DocumentSummary } from "./types";

export type DocumentClientOptions = HttpOptions & TokenSource;

const MEDIA_TYPES: Record<DocumentFormat, string> = { markdown: "text/markdown", pdf: "application/pdf" };

/**
 * ```ts
 * const documents = new DocumentClient({ baseUrl: "http://127.0.0.1:3000", token });
 * const document = await documents.getDocument(event.documentId);
 * const { blob } = await documents.downloadDocument(document.id, "pdf");
 * ```
 */
export class DocumentClient {
  private readonly http: HttpClient;

  constructor(options: DocumentClientOptions) {
    this.http = new HttpClient(options, bearer(options));
  }

  /** One page of the caller's documents, newest first, without their Markdown. */
  async listDocuments(options: { limit?: number; cursor?: string } = {}): Promise<DocumentPage> {
    return (await this.http.request<DocumentPage>("GET", "/api/documents", { query: options })).body;
  }

  /** Every document of the caller, page after page. */
  async *documents(options: { pageSize?: number } = {}): AsyncGenerator<DocumentSummary, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.listDocuments({ limit: options.pageSize, cursor });
      yield* page.documents;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  /** The document a session wrote, if it wrote one (a session writes at most one). */
  async documentOfSession(sessionId: string): Promise<DocumentSummary | undefined> {
    for await (const document of this.documents({ pageSize: 100 })) if (document.sessionId === sessionId) return document;
    return undefined;
  }

  /** The document with its Markdown; someone else's is a 404 `document.not_found`, like a missing one. */
  async getDocument(documentId: string): Promise<Document> {
    return (await this.http.request<Document>("GET", `/api/documents/${seg(documentId)}`)).body;
  }

  /** The document as a file: its Markdown, or a PDF rendered from it. */
  async downloadDocument(documentId: string, format: DocumentFormat): Promise<DocumentDownload> {
    const response = await this.http.request<Blob>("GET", `/api/documents/${seg(documentId)}`, {
      query: { format },
      blob: true,
      accept: `${MEDIA_TYPES[format]}, application/problem+json;q=0.9`,
    });
    return { blob: response.body, filename: fileNameOf(response.headers) };
  }

  async deleteDocument(documentId: string): Promise<void> {
    await this.http.request<void>("DELETE", `/api/documents/${seg(documentId)}`);
  }
}
