import * as z from "@coach/core/zod";
import * as Documents from "@coach/core/document";

/** Path shape shared by the document routes. */
export const DocumentPath = z.object({ id: Documents.DocumentId });
