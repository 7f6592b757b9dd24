import * as z from "zod";

/** A page cursor: pass it back as `?cursor=` for the next page; null on the last page. */
export const NextCursor = z.string().nullable().describe("Pass back as `?cursor=` for the next page; null on the last page");
