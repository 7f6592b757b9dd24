import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "../zod";
import { currentActor } from "../actor";
import { TokenUsage } from "../conversation/message";
import { VisibleError } from "../error";
import { documentClient, tableName } from "../table";
import { responseKeyOf } from "./ids";
import { responseItem } from "./keys";

/**
 * A stored response: a turn of one of its user's sessions (the input
 * messages `firstSeq` … `replySeq - 1` and the reply `replySeq`), plus what
 * the request said that the session's messages do not hold (model,
 * instructions, metadata, sampling). Why a record of its own rather than an
 * id that encodes the session and the reply: what GET must answer lives
 * somewhere, a DELETE removes exactly the response and leaves the session's
 * history whole (no hole in its message numbers, which the realtime client
 * would take for a gap), and the session partition keeps one owner.
 * The text is never copied here: a deleted session takes its responses'
 * content with it, and what is left of the record expires with it (kept
 * RETENTION_DAYS, as OpenAI keeps responses).
 */
export const StoredResponse = z.object({
  id: z.string(),
  userId: z.string(),
  sessionId: z.string(),
  firstSeq: z.number().check(z.int(), z.positive()),
  replySeq: z.number().check(z.int(), z.positive()),
  model: z.string(),
  /** Epoch seconds, as OpenAI's `created_at`. */
  createdAt: z.number().check(z.int()),
  status: z.enum(["completed", "incomplete"]),
  instructions: z.nullable(z.string()),
  metadata: z.record(z.string(), z.string()),
  temperature: z.nullable(z.number()),
  topP: z.nullable(z.number()),
  maxOutputTokens: z.nullable(z.number().check(z.int())),
  effort: z.nullable(z.string()),
  previousResponseId: z.nullable(z.string()),
  user: z.nullable(z.string()),
  usage: TokenUsage,
});
export type StoredResponse = z.infer<typeof StoredResponse>;

export const RETENTION_DAYS = 30;

const nowSeconds = () => Math.floor(Date.now() / 1000);

export function toItem(record: StoredResponse) {
  return { ...responseItem.key(record.id), type: "response", ttl: record.createdAt + RETENTION_DAYS * 86_400, ...record };
}

/** OpenAI's answer for a response that is not there (or not the caller's: the same answer, so ids cannot be probed). */
export const responseNotFound = (id: string, param: string | null = null) =>
  new VisibleError("not_found", "response.not_found", `Response with id '${id}' not found.`, param ? { param } : undefined);

/**
 * The caller's stored response. Someone else's, an expired one (DynamoDB
 * deletes expired items late) and a malformed id answer like a missing one;
 * an API key owns no sessions, so no responses either.
 */
export async function readOwned(id: string, param: string | null = null): Promise<StoredResponse> {
  const actor = currentActor();
  const key = responseKeyOf(id);
  if (actor.type !== "user" || key === undefined) throw responseNotFound(id, param);
  const found = await documentClient.send(new GetCommand({ TableName: tableName, Key: responseItem.key(id), ConsistentRead: true }));
  const item = found.Item;
  if (!item || item.userId !== actor.userId || (typeof item.ttl === "number" && item.ttl <= nowSeconds())) throw responseNotFound(id, param);
  return StoredResponse.parse(item);
}

/** Deletes the caller's response record; the session's messages stay (they are the session's). */
export async function removeOwned(id: string): Promise<void> {
  const actor = currentActor();
  if (actor.type !== "user" || responseKeyOf(id) === undefined) throw responseNotFound(id);
  try {
    await documentClient.send(
      new DeleteCommand({
        TableName: tableName,
        Key: responseItem.key(id),
        ConditionExpression: "userId = :userId AND #ttl > :now",
        ExpressionAttributeNames: { "#ttl": "ttl" },
        ExpressionAttributeValues: { ":userId": actor.userId, ":now": nowSeconds() },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw responseNotFound(id);
    throw error;
  }
}
