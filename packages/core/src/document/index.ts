/**
 * Documents: generated Markdown documents owned by a user (a questionnaire's
 * result, for one). Handlers import this as a namespace:
 * `Documents.getDocument(userId, id)`. Rendering a document as PDF is
 * `@coach/core/pdf`, imported only where a PDF is made.
 */
export { createDocument, getDocument, listDocuments, deleteDocument, CreateInput, ListInput } from "./store";
export type { DocumentPage } from "./store";
export { Info, Summary, DocumentId, MAX_MARKDOWN_BYTES, MAX_TITLE_LENGTH } from "./document";
