import * as Documents from "@coach/core/document";
import { httpRoute } from "../shared/route";
import { DocumentPath } from "./params";

export const handler = httpRoute("DELETE /api/documents/{id}", { path: DocumentPath, summary: "Delete a document", response: { status: 204 } }, async ({ path, userId }) => {
  await Documents.deleteDocument(userId, path.id);
  return { status: 204 };
});
