import { z } from "zod";
import { flowNames } from "./flows";

export const SessionId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "not a session id");

export const SessionStatus = z.enum(["active", "ended"]);
export type SessionStatus = z.infer<typeof SessionStatus>;

/** Which of a user's lists a session appears in (besides `recent`, which holds all). */
export const SessionState = z.enum(["active", "unresolved", "resolved"]);
export type SessionState = z.infer<typeof SessionState>;

export const Info = z.object({
  id: z.string(),
  userId: z.string(),
  flow: z.enum(flowNames),
  phase: z.string(),
  status: SessionStatus,
  isResolved: z.boolean(),
  resolutionNotes: z.string().optional(),
  messageCount: z.number().int().nonnegative(),
  lastActivity: z.string(),
  createdAt: z.string(),
  endedAt: z.string().optional(),
  resolvedAt: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()),
  version: z.number().int().positive(),
});
export type Info = z.infer<typeof Info>;

export function stateOf(session: Pick<Info, "status" | "isResolved">): SessionState {
  if (session.isResolved) return "resolved";
  return session.status === "active" ? "active" : "unresolved";
}

const isoTime = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z`;
const sessionIdPattern = String.raw`[A-Za-z0-9_-]{1,64}`;

/** Key templates of the session item; the only place that knows them. */
export const sessionKeys = {
  partition: (sessionId: string) => `SESSION#${sessionId}`,
  sort: "SESSION",
  /** byUserState (gsi1): a user's sessions in one state, newest activity first. */
  byUserState: {
    index: "gsi1",
    partition: (userId: string) => `USER#${userId}`,
    sortPrefix: (state: SessionState) => `${state}#`,
    sort: (session: Info) => `${stateOf(session)}#${session.lastActivity}#${session.id}`,
    /** The exact key of an item on this index in one state: what a cursor may hold. */
    cursorFormat: (state: SessionState) => ({
      pk: new RegExp(`^SESSION#${sessionIdPattern}$`),
      sk: /^SESSION$/,
      gsi1pk: /^USER#.+$/,
      gsi1sk: new RegExp(`^${state}#${isoTime}#${sessionIdPattern}$`),
    }),
  },
  /** byUserActivity (gsi2): all of a user's sessions, newest activity first. */
  byUserActivity: {
    index: "gsi2",
    partition: (userId: string) => `USER#${userId}`,
    sort: (session: Info) => `${session.lastActivity}#${session.id}`,
    cursorFormat: {
      pk: new RegExp(`^SESSION#${sessionIdPattern}$`),
      sk: /^SESSION$/,
      gsi2pk: /^USER#.+$/,
      gsi2sk: new RegExp(`^${isoTime}#${sessionIdPattern}$`),
    },
  },
} as const;

export function toItem(session: Info) {
  return {
    pk: sessionKeys.partition(session.id),
    sk: sessionKeys.sort,
    gsi1pk: sessionKeys.byUserState.partition(session.userId),
    gsi1sk: sessionKeys.byUserState.sort(session),
    gsi2pk: sessionKeys.byUserActivity.partition(session.userId),
    gsi2sk: sessionKeys.byUserActivity.sort(session),
    type: "session",
    ...session,
  };
}

export function fromItem(item: Record<string, unknown>): Info {
  return Info.parse(item);
}
