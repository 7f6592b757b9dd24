import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ulid } from "ulid";
import * as z from "../zod";
import { VisibleError } from "../error";
import { documentClient, queryAll, tableName } from "../table";
import { apiKeyKeys } from "./keys";

/**
 * API keys for machine clients. A key is `ck_<id>_<secret>`: the id finds the
 * record with one GetItem, the secret is checked against a stored SHA-256
 * hash in constant time. The secret is 32 random bytes, so a fast hash is
 * enough (nothing to brute-force) and the plain key is shown exactly once.
 */
export const KEY_PREFIX = "ck_";

export const ApiKeyInfo = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.optional(z.string()),
  revokedAt: z.optional(z.string()),
});
export type ApiKeyInfo = z.infer<typeof ApiKeyInfo>;

// Pure: only key creation (the CLI) names a key; the handlers that verify keys drop it.
export const KeyName = /* @__PURE__ */ z.string().check(z.trim(), z.minLength(1), z.maxLength(100));

const hashOf = (secret: string) => createHash("sha256").update(secret).digest();

/** Creates a key; the returned `key` is the only time the secret exists outside the caller. */
export async function create(name: string): Promise<{ key: string; info: ApiKeyInfo }> {
  const info: ApiKeyInfo = { id: ulid().toLowerCase(), name: KeyName.parse(name), createdAt: new Date().toISOString() };
  const secret = randomBytes(32).toString("base64url");
  await store(info, secret);
  return { key: `${KEY_PREFIX}${info.id}_${secret}`, info };
}

/** Stores a known key again (the local runtime's dev key after its table was reset). */
export async function restore(key: string, name: string): Promise<ApiKeyInfo> {
  const parsed = parse(key);
  if (!parsed) throw new Error("Not an API key");
  const existing = await documentClient.send(new GetCommand({ TableName: tableName, Key: apiKeyKeys.key(parsed.id) }));
  if (existing.Item) return toInfo(existing.Item);
  const info: ApiKeyInfo = { id: parsed.id, name, createdAt: new Date().toISOString() };
  await store(info, parsed.secret);
  return info;
}

async function store(info: ApiKeyInfo, secret: string): Promise<void> {
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...apiKeyKeys.key(info.id),
        ...apiKeyKeys.byCreation.attributes(info),
        type: "api_key",
        ...info,
        secretHash: hashOf(secret).toString("hex"),
      },
      ConditionExpression: "attribute_not_exists(pk)",
    }),
  );
}

function parse(key: string): { id: string; secret: string } | undefined {
  const match = /^ck_([0-9a-z]{26})_([A-Za-z0-9_-]{43})$/.exec(key);
  return match?.[1] && match[2] ? { id: match[1], secret: match[2] } : undefined;
}

/** Last-used time is written at most this often per key, so busy keys do not turn every read into a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * The key's record if `key` is a valid, unrevoked key; otherwise
 * `auth.invalid_api_key` — the same answer for unknown, wrong and revoked keys.
 */
export async function verify(key: string): Promise<ApiKeyInfo> {
  const parsed = parse(key);
  if (!parsed) throw invalidKey();
  const result = await documentClient.send(new GetCommand({ TableName: tableName, Key: apiKeyKeys.key(parsed.id) }));
  const item = result.Item;
  const stored = typeof item?.secretHash === "string" ? Buffer.from(item.secretHash, "hex") : Buffer.alloc(32);
  const matches = timingSafeEqual(stored, hashOf(parsed.secret));
  if (!item || !matches || item.revokedAt) throw invalidKey();
  const info = toInfo(item);
  const now = Date.now();
  if (!info.lastUsedAt || now - Date.parse(info.lastUsedAt) > LAST_USED_RESOLUTION_MS) {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: apiKeyKeys.key(info.id),
        UpdateExpression: "SET lastUsedAt = :now",
        ExpressionAttributeValues: { ":now": new Date(now).toISOString() },
      }),
    );
  }
  return info;
}

export async function revoke(id: string): Promise<ApiKeyInfo> {
  try {
    const result = await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: apiKeyKeys.key(id),
        UpdateExpression: "SET revokedAt = if_not_exists(revokedAt, :now)",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":now": new Date().toISOString() },
        ReturnValues: "ALL_NEW",
      }),
    );
    return toInfo(result.Attributes ?? {});
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new VisibleError("not_found", "apikey.not_found", `No API key ${id}`);
    throw error;
  }
}

/** Every key, newest first (a Query on the keys' own index partition). */
export async function list(): Promise<ApiKeyInfo[]> {
  return (await queryAll(apiKeyKeys.byCreation.newestFirst())).map(toInfo);
}

function toInfo(item: Record<string, unknown>): ApiKeyInfo {
  return ApiKeyInfo.parse(item);
}

const invalidKey = () => new VisibleError("unauthorized", "auth.invalid_api_key", "The API key is not valid");

/** Whether a bearer credential looks like one of our API keys rather than a JWT. */
export const isApiKey = (credential: string) => credential.startsWith(KEY_PREFIX);
