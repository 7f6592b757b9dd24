import * as z from "../zod";
import { sessionItem, userSessions } from "./partition";

export const SessionId = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, "not a session id"));

export const SessionStatus = z.enum(["active", "ended"]);
export type SessionStatus = z.infer<typeof SessionStatus>;

/** Which of a user's lists a session appears in (besides `recent`, which holds all). */
export const SessionState = z.enum(["active", "unresolved", "resolved"]);
export type SessionState = z.infer<typeof SessionState>;

export const Info = z.object({
  id: z.string(),
  userId: z.string(),
  /** The name of the flow plug-in the session runs; only the turn and flow-aware use cases load it. */
  flow: z.string().check(z.minLength(1), z.maxLength(64)),
  phase: z.string(),
  status: SessionStatus,
  isResolved: z.boolean(),
  resolutionNotes: z.optional(z.string()),
  messageCount: z.number().check(z.int(), z.nonnegative()),
  lastActivity: z.string(),
  createdAt: z.string(),
  endedAt: z.optional(z.string()),
  resolvedAt: z.optional(z.string()),
  metadata: z.record(z.string(), z.unknown()),
  version: z.number().check(z.int(), z.positive()),
  /**
   * An expiring session (an incomplete questionnaire): gone, to every
   * reader, from this instant on (ISO; its last activity + the period). See
   * conversation/expiry.ts.
   */
  expiresAt: z.optional(z.string()),
  /**
   * Epoch seconds: the TTL horizon every item of an expiring session
   * carries, at least `expiresAt` + half the period; on the session item it
   * is DynamoDB's TTL attribute itself.
   */
  ttl: z.optional(z.number().check(z.int(), z.positive())),
});
export type Info = z.infer<typeof Info>;

export function stateOf(session: Pick<Info, "status" | "isResolved">): SessionState {
  if (session.isResolved) return "resolved";
  return session.status === "active" ? "active" : "unresolved";
}

export function toItem(session: Info) {
  return {
    ...sessionItem.key(session.id),
    gsi1pk: userSessions.partition(session.userId),
    gsi1sk: userSessions.byUserState.sort(stateOf(session), session.lastActivity, session.id),
    gsi2pk: userSessions.partition(session.userId),
    gsi2sk: userSessions.byUserActivity.sort(session.lastActivity, session.id),
    type: "session",
    ...session,
  };
}

export function fromItem(item: Record<string, unknown>): Info {
  return Info.parse(item);
}
