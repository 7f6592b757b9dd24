import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { ulid } from "ulid";
import { z } from "zod";
import { assertApiKey } from "../actor";
import { notFound, VisibleError } from "../error";
import { batchDelete, documentClient, tableName } from "../table";
import { fn } from "../util";
import { clock } from "./clock";
import { trackingConfig } from "./config";
import * as Session from "./session";
import { Limit, Metadata, type Page } from "./shared";
import { modifyVersioned, pageSegments, queryAll, type Segment } from "./store";
import { assertTransition, isTerminal, sessionTransitions } from "./transitions";

const ProjectId = z.string().trim().min(1).max(128);
const MachineRef = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "not a machine id");

export const CreateSessionInput = z.object({
  /** A client-chosen id (e.g. the editor's own session id); generated when absent. */
  id: Session.SessionId.optional(),
  projectId: ProjectId,
  machineId: MachineRef.optional(),
  status: z.enum(Session.liveStatuses).default("active"),
  metadata: Metadata.default({}),
});

export const createSession = fn(CreateSessionInput, async (input): Promise<Session.Info> => {
  assertApiKey();
  const now = clock.now();
  const session: Session.Info = {
    id: input.id ?? `tses_${ulid()}`,
    projectId: input.projectId,
    machineId: input.machineId,
    status: input.status,
    startedAt: now,
    lastHeartbeat: now,
    updatedAt: now,
    metadata: input.metadata,
    version: 1,
  };
  try {
    await documentClient.send(
      new PutCommand({ TableName: tableName, Item: Session.toItem(session), ConditionExpression: "attribute_not_exists(pk)" }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new VisibleError("conflict", "tracking.session_exists", `A session with id ${session.id} already exists`, undefined, { cause: error });
    }
    throw error;
  }
  return session;
});

export async function loadSession(id: string): Promise<Session.Info> {
  const result = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: { pk: Session.sessionKeys.partition(id), sk: Session.sessionKeys.sort }, ConsistentRead: true }),
  );
  if (!result.Item) throw sessionNotFound();
  return Session.fromItem(result.Item);
}

export const sessionNotFound = () => notFound("Session", "tracking.session_not_found");

export const getSession = fn(Session.SessionId, async (id) => {
  assertApiKey();
  return loadSession(id);
});

function modifySession(id: string, change: (session: Session.Info, now: string) => Session.Info): Promise<Session.Info> {
  return modifyVersioned("session", () => loadSession(id), change, Session.toItem);
}

/** The fields that change with a status: `endedAt` once it is final. */
function withStatus(session: Session.Info, status: Session.SessionStatus, now: string): Session.Info {
  assertTransition(sessionTransitions, "session", session.status, status);
  if (status === session.status) return session;
  return { ...session, status, endedAt: isTerminal(sessionTransitions, status) ? now : undefined };
}

export const UpdateSessionInput = z
  .object({
    id: Session.SessionId,
    status: Session.SessionStatus.optional(),
    projectId: ProjectId.optional(),
    /** `null` clears it. */
    machineId: MachineRef.nullable().optional(),
    /** Replaces the metadata. */
    metadata: Metadata.optional(),
  })
  .strict();

export const updateSession = fn(UpdateSessionInput, async (input) => {
  assertApiKey();
  return modifySession(input.id, (current, now) => {
    let next = input.status ? withStatus(current, input.status, now) : current;
    const fields: Partial<Session.Info> = {};
    if (input.projectId !== undefined && input.projectId !== current.projectId) fields.projectId = input.projectId;
    if (input.machineId !== undefined && (input.machineId ?? undefined) !== current.machineId) fields.machineId = input.machineId ?? undefined;
    if (input.metadata !== undefined) fields.metadata = input.metadata;
    if (Object.keys(fields).length === 0) return next;
    if (isTerminal(sessionTransitions, current.status)) {
      throw new VisibleError("conflict", "tracking.session_finished", `The session is ${current.status}; it cannot change any more`);
    }
    next = { ...next, ...fields };
    return next;
  });
});

/**
 * A sign of life: moves lastHeartbeat (and with it the session's place in
 * the heartbeat index) to now. A stale session that heartbeats is active again.
 */
export const heartbeat = fn(Session.SessionId, async (id) => {
  assertApiKey();
  return modifySession(id, (current, now) => {
    if (isTerminal(sessionTransitions, current.status)) {
      throw new VisibleError("conflict", "tracking.session_finished", `The session is ${current.status}; it takes no heartbeats`);
    }
    const status = current.status === "stale" ? "active" : current.status;
    return { ...current, status, lastHeartbeat: now };
  });
});

/** Deletes the session and its tasks; children first, so a failure part-way can be retried. */
export const removeSession = fn(Session.SessionId, async (id) => {
  assertApiKey();
  const partition = Session.sessionKeys.partition(id);
  const items = await queryAll({
    KeyConditionExpression: "pk = :pk",
    ExpressionAttributeValues: { ":pk": partition },
    ProjectionExpression: "pk, sk",
  });
  if (!items.some((item) => item.sk === Session.sessionKeys.sort)) throw sessionNotFound();
  await batchDelete(items.map((item) => ({ pk: String(item.pk), sk: String(item.sk) })).filter((key) => key.sk !== Session.sessionKeys.sort));
  try {
    await documentClient.send(
      new DeleteCommand({ TableName: tableName, Key: { pk: partition, sk: Session.sessionKeys.sort }, ConditionExpression: "attribute_exists(pk)" }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw sessionNotFound();
    throw error;
  }
});

/** `stale` as a list: stored as stale, or live and silent for longer than the stale window. */
export const ListSessionsInput = z.object({
  status: Session.SessionStatus.optional(),
  limit: Limit,
  cursor: z.string().optional(),
});

export const listSessions = fn(ListSessionsInput, async (input): Promise<Page<Session.Info>> => {
  assertApiKey();
  const segments = input.status === "stale" ? staleSegments(staleCutoff()) : input.status ? [statusSegment(input.status)] : Session.SessionStatus.options.map(statusSegment);
  return pageSegments(segments, input, Session.fromItem);
});

/** The time before which a live session's last heartbeat makes it stale. */
export const staleCutoff = () => new Date(clock.nowMs() - trackingConfig.staleAfterSeconds * 1000).toISOString();

export function statusSegment(status: Session.SessionStatus): Segment {
  const keys = Session.sessionKeys.byStatus;
  return {
    query: {
      IndexName: keys.index,
      KeyConditionExpression: "gsi1pk = :pk",
      ExpressionAttributeValues: { ":pk": keys.partition(status) },
      ScanIndexForward: false,
    },
    binding: { attributes: keys.cursorFormat(status), equals: { gsi1pk: keys.partition(status) } },
  };
}

/** Stale sessions: those stored as stale (newest first), then the silent live ones (longest silent first). */
export function staleSegments(cutoff: string): Segment[] {
  const keys = Session.sessionKeys.byHeartbeat;
  return [
    statusSegment("stale"),
    {
      query: {
        IndexName: keys.index,
        KeyConditionExpression: "gsi2pk = :pk AND gsi2sk < :cutoff",
        ExpressionAttributeValues: { ":pk": keys.partition, ":cutoff": cutoff },
      },
      binding: { attributes: keys.cursorFormat, equals: { gsi2pk: keys.partition } },
      accept: (key) => (key.gsi2sk ?? "") < cutoff,
    },
  ];
}
