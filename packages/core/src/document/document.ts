import * as z from "../zod";
import { documentIdPattern, documentKeys } from "./keys";

/**
 * A generated document: Markdown with a title, owned by one user, made by a
 * session (a questionnaire that produced it) or by anyone core lets create it.
 */
// Pure: a handler that never uses a schema does not build it at cold start.
export const DocumentId = /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.regex(new RegExp(`^${documentIdPattern}$`), "not a document id"));

/** DynamoDB items are at most 400 KB; the rest of the item stays far below the difference. */
export const MAX_MARKDOWN_BYTES = 350_000;
export const MAX_TITLE_LENGTH = 200;

export const Title = /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.trim(), /* @__PURE__ */ z.minLength(1), /* @__PURE__ */ z.maxLength(MAX_TITLE_LENGTH));
export const Markdown = /* @__PURE__ */ z
  .string()
  .check(/* @__PURE__ */ z.refine((text) => Buffer.byteLength(text) <= MAX_MARKDOWN_BYTES, { message: `at most ${MAX_MARKDOWN_BYTES} bytes of UTF-8` }));
/** The user ids core stores: whatever the identity provider's `sub` is, within a key's size. */
export const UserId = /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.minLength(1), /* @__PURE__ */ z.maxLength(1024));
/** Session and template references, as those families spell their ids (letters, digits, `_`, `-`). */
export const SessionRef = /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.regex(/^[A-Za-z0-9_-]{1,64}$/, "not a session id"));
export const TemplateRef = /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.regex(/^[A-Za-z0-9_-]{1,64}$/, "not a template id"));

export const Info = /* @__PURE__ */ z.object({
  id: DocumentId,
  userId: UserId,
  title: /* @__PURE__ */ z.string(),
  markdown: /* @__PURE__ */ z.string(),
  /** The session that produced it; a session produces at most one document. */
  sessionId: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()),
  templateId: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()),
  templateVersion: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.number().check(/* @__PURE__ */ z.int(), /* @__PURE__ */ z.positive())),
  createdAt: /* @__PURE__ */ z.string(),
  /** When DynamoDB's TTL removes it, for documents created with a `ttl`. */
  expiresAt: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()),
});
export type Info = z.infer<typeof Info>;

/** A document in a list: everything but its Markdown. */
export const Summary = /* @__PURE__ */ z.omit(Info, { markdown: true });
export type Summary = z.infer<typeof Summary>;

export function toItem(document: Info, ttl: number | undefined) {
  return { ...documentKeys.document(document.userId, document.id), type: "document", ...document, ...(ttl === undefined ? {} : { ttl }) };
}

/** An item whose TTL has passed is gone, even while DynamoDB has not removed it yet (that can take days). */
export const isExpired = (item: Record<string, unknown>, nowSeconds: number) => typeof item.ttl === "number" && item.ttl <= nowSeconds;
