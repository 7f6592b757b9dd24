import * as z from "@coach/core/zod";

/** A page cursor: pass it back as `?cursor=` for the next page; null on the last page. */
export const NextCursor = z.nullable(z.string()).check(z.describe("Pass back as `?cursor=` for the next page; null on the last page"));
