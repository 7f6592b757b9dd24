import type { CursorBinding } from "../cursor";
import type { PagedQuery } from "../table";

/**
 * Key templates of the document family: the only place that knows them.
 *
 * One partition per user holds that user's documents (`DOC#<id>`, the id a
 * ULID, so the sort key orders them by creation) and, for documents made by a
 * session, one marker per session (`SESSIONDOC#<sessionId>` → the document's
 * id) that makes creation idempotent per session. Ownership is the key: a
 * read with another user's id names another partition, so it finds nothing.
 * No index: every access pattern is a Get or a Query on the partition.
 */
export const ulidPattern = "[0-9A-HJKMNP-TV-Z]{26}";
export const documentIdPattern = `doc_${ulidPattern}`;

const partition = (userId: string) => `DOCS#${userId}`;
const DOC_PREFIX = "DOC#";

/** The attributes a list entry carries: everything but the Markdown, which can be large. */
const summaryAttributes = ["id", "userId", "title", "sessionId", "templateId", "templateVersion", "createdAt", "expiresAt"] as const;

export const documentKeys = {
  document: (userId: string, id: string) => ({ pk: partition(userId), sk: `${DOC_PREFIX}${id}` }),
  /** The one document a session made (see `createDocument`). */
  sessionMarker: (userId: string, sessionId: string) => ({ pk: partition(userId), sk: `SESSIONDOC#${sessionId}` }),
  /**
   * byUserCreation (the table): a user's documents, newest first, without
   * their Markdown and without those whose TTL has passed but that DynamoDB
   * has not removed yet.
   */
  newestFirst: (userId: string, nowSeconds: number): { query: PagedQuery; cursorFormat: CursorBinding } => ({
    query: {
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      FilterExpression: "attribute_not_exists(#ttl) OR #ttl > :now",
      ProjectionExpression: summaryAttributes.map((name) => `#${name}`).join(", "),
      ExpressionAttributeNames: { "#ttl": "ttl", ...Object.fromEntries(summaryAttributes.map((name) => [`#${name}`, name])) },
      ExpressionAttributeValues: { ":pk": partition(userId), ":prefix": DOC_PREFIX, ":now": nowSeconds },
      ScanIndexForward: false,
    },
    cursorFormat: {
      attributes: { pk: /^DOCS#.+$/s, sk: new RegExp(`^${DOC_PREFIX}${documentIdPattern}$`) },
      equals: { pk: partition(userId) },
    },
  }),
};
