import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { monotonicFactory } from "ulid";
import * as z from "../zod";
import { clock } from "../clock";
import { notFound, VisibleError } from "../error";
import { documentClient, queryPage, tableName, transact, TransactionRefused } from "../table";
import { invalidInput } from "../util";
import { DocumentId, Info, isExpired, Markdown, SessionRef, Summary, TemplateRef, Title, toItem, UserId } from "./document";
import { documentKeys } from "./keys";

// Monotonic: two documents created in the same millisecond still list in creation order.
const nextUlid = monotonicFactory();
const nowSeconds = () => Math.floor(clock.nowMs() / 1000);
const documentNotFound = () => notFound("Document");

export const CreateInput = z.object({
  userId: UserId,
  title: Title,
  markdown: Markdown,
  sessionId: z.optional(SessionRef),
  templateId: z.optional(TemplateRef),
  templateVersion: z.optional(z.number().check(z.int(), z.positive())),
  /** Epoch seconds after which DynamoDB's TTL removes the document; in the future. */
  ttl: z.optional(z.number().check(z.int(), z.positive())),
});

/**
 * Stores a new document of `userId` and returns it. With a `sessionId` it is
 * idempotent: a session makes at most one document, so a retried or repeated
 * call returns the document the first one stored (first writer wins) instead
 * of a second one.
 */
export async function createDocument(raw: z.input<typeof CreateInput>): Promise<Info> {
  const parsed = CreateInput.safeParse(raw);
  if (!parsed.success) throw invalidInput(parsed.error);
  const input = parsed.data;
  const nowMs = clock.nowMs();
  if (input.ttl !== undefined && input.ttl <= Math.floor(nowMs / 1000)) {
    throw new VisibleError("invalid", "request.invalid", "Invalid input: ttl: must be in the future", { issues: [{ path: "ttl", message: "must be in the future" }] });
  }
  const document: Info = {
    id: `doc_${nextUlid(nowMs)}`,
    userId: input.userId,
    title: input.title,
    markdown: input.markdown,
    sessionId: input.sessionId,
    templateId: input.templateId,
    templateVersion: input.templateVersion,
    createdAt: new Date(nowMs).toISOString(),
    expiresAt: input.ttl === undefined ? undefined : new Date(input.ttl * 1000).toISOString(),
  };
  if (input.sessionId === undefined) {
    await documentClient.send(new PutCommand({ TableName: tableName, Item: toItem(document, input.ttl), ConditionExpression: "attribute_not_exists(pk)" }));
    return document;
  }
  return createForSession(document, input.sessionId, input.ttl);
}

const MAX_ATTEMPTS = 5;

const isConflict = (error: TransactionRefused) =>
  error.cause instanceof TransactionCanceledException && (error.cause.CancellationReasons ?? []).some((reason) => reason.Code === "TransactionConflict");

/** The document and its session's marker in one transaction; an existing marker names the document to return instead. */
async function createForSession(document: Info, sessionId: string, ttl: number | undefined): Promise<Info> {
  const marker = documentKeys.sessionMarker(document.userId, sessionId);
  // The id of a document the marker names that no longer exists (its TTL passed): the marker is taken over.
  let stale: string | undefined;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    try {
      await transact({
        document: { Put: { TableName: tableName, Item: toItem(document, ttl), ConditionExpression: "attribute_not_exists(pk)" } },
        session: {
          Put: {
            TableName: tableName,
            Item: { ...marker, type: "document_session", documentId: document.id, ...(ttl === undefined ? {} : { ttl }) },
            ...(stale === undefined
              ? { ConditionExpression: "attribute_not_exists(pk)" }
              : { ConditionExpression: "documentId = :stale", ExpressionAttributeValues: { ":stale": stale } }),
          },
        },
      });
      return document;
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      if (!error.failed.has("session")) {
        // Another create of the same session was writing the marker at that moment: look again shortly.
        if (!isConflict(error) || attempt === MAX_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
        continue;
      }
    }
    const existing = await documentClient.send(new GetCommand({ TableName: tableName, Key: marker, ConsistentRead: true }));
    const documentId = existing.Item?.documentId;
    if (typeof documentId !== "string") {
      stale = undefined;
      continue;
    }
    const found = await read(document.userId, documentId);
    if (found) return found;
    stale = documentId;
  }
  throw new VisibleError("conflict", "document.busy", "The session's document is being written concurrently; try again");
}

async function read(userId: string, id: string): Promise<Info | undefined> {
  const result = await documentClient.send(new GetCommand({ TableName: tableName, Key: documentKeys.document(userId, id), ConsistentRead: true }));
  if (!result.Item || isExpired(result.Item, nowSeconds())) return undefined;
  return Info.parse(result.Item);
}

/** The user's document; someone else's answers exactly like a missing one (`document.not_found`). */
export async function getDocument(userId: string, id: string): Promise<Info> {
  if (!UserId.safeParse(userId).success || !DocumentId.safeParse(id).success) throw documentNotFound();
  const document = await read(userId, id);
  if (!document) throw documentNotFound();
  return document;
}

export const ListInput = z.object({
  limit: z._default(z.number().check(z.int(), z.gte(1), z.lte(100)), 20),
  cursor: z.optional(z.string()),
});

export interface DocumentPage {
  items: Summary[];
  nextCursor?: string;
}

/** The user's documents, newest first, without their Markdown; `nextCursor` pages on (bound to this user). */
export async function listDocuments(userId: string, raw: z.input<typeof ListInput> = {}): Promise<DocumentPage> {
  const parsed = ListInput.safeParse(raw);
  if (!parsed.success) throw invalidInput(parsed.error);
  const user = UserId.safeParse(userId);
  if (!user.success) throw invalidInput(user.error);
  const { query, cursorFormat } = documentKeys.newestFirst(userId, nowSeconds());
  const page = await queryPage(query, { limit: parsed.data.limit, cursor: parsed.data.cursor, cursorFormat });
  return { items: page.items.map((item) => Summary.parse(item)), nextCursor: page.nextCursor };
}

/** Deletes the user's document (and its session's marker, so the session could make another); missing or someone else's: `document.not_found`. */
export async function deleteDocument(userId: string, id: string): Promise<void> {
  const document = await getDocument(userId, id);
  const remove = { TableName: tableName, Key: documentKeys.document(userId, document.id), ConditionExpression: "attribute_exists(pk)" };
  if (document.sessionId !== undefined) {
    try {
      await transact({
        document: { Delete: remove },
        session: {
          Delete: {
            TableName: tableName,
            Key: documentKeys.sessionMarker(userId, document.sessionId),
            ConditionExpression: "attribute_not_exists(pk) OR documentId = :id",
            ExpressionAttributeValues: { ":id": document.id },
          },
        },
      });
      return;
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      if (error.failed.has("document")) throw documentNotFound();
      // The marker names another document (this one's TTL passed and a later one took it over): leave it.
    }
  }
  try {
    await documentClient.send(new DeleteCommand(remove));
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw documentNotFound();
    throw error;
  }
}
