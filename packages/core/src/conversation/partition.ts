/**
 * The session partition: a session and everything that belongs to it —
 * messages, feedback, resend records, flow state and its history, phase
 * transitions, the turn lock, WebSocket memberships. This is the only
 * module that knows its key templates; use cases ask it for keys.
 *
 * Sort keys are chosen so one Query from a message on (`sk >= MSG#…`)
 * returns the recent history, the session item, the flow's current state
 * and the lock together: what a turn needs, in one call.
 */
const SEQ_WIDTH = 10;
const pad = (n: number) => String(n).padStart(SEQ_WIDTH, "0");
const isoTime = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z`;
const sessionIdPattern = String.raw`[A-Za-z0-9_-]{1,64}`;

const partition = (sessionId: string) => `SESSION#${sessionId}`;
const key = (sessionId: string, sk: string) => ({ pk: partition(sessionId), sk });

export type ItemKey = { pk: string; sk: string };

/** The session item; `sk` is also how a partition's Query result tells it apart. */
export const sessionItem = {
  sort: "SESSION",
  key: (sessionId: string) => key(sessionId, "SESSION"),
};

export const messageItem = {
  prefix: "MSG#",
  key: (sessionId: string, seq: number) => key(sessionId, `MSG#${pad(seq)}`),
  sort: (seq: number) => `MSG#${pad(seq)}`,
  last: `MSG#${"9".repeat(SEQ_WIDTH)}`,
  /** The only sort key a history cursor may hold: a message's, sequence 1 or more. */
  cursorFormat: (sessionId: string) => ({
    attributes: { pk: /^SESSION#[A-Za-z0-9_-]{1,64}$/, sk: /^MSG#(?!0{10})\d{10}$/ },
    equals: { pk: partition(sessionId) },
  }),
};

export const feedbackItem = {
  prefix: "FEEDBACK#",
  key: (sessionId: string, seq: number) => key(sessionId, `FEEDBACK#${pad(seq)}`),
};

/** clientMessageId → the message it created, so a resend never creates a second one. */
export const resendRecord = {
  key: (sessionId: string, clientMessageId: string) => key(sessionId, `CLIENTMSG#${clientMessageId}`),
};

/** The flow's current state (read with the turn's history), and one item per version before it. */
export const flowStateItem = {
  current: (sessionId: string) => key(sessionId, "STATE"),
  currentSort: "STATE",
  version: (sessionId: string, version: number) => key(sessionId, `FLOWSTATE#${pad(version)}`),
  versionPrefix: "FLOWSTATE#",
};

/**
 * Phase transitions in the order they happened: by time, then by the flow
 * state version that made them (unique per session) and their place in it.
 */
export const transitionItem = {
  prefix: "TRANSITION#",
  key: (sessionId: string, at: string, stateVersion: number, index: number) =>
    key(sessionId, `TRANSITION#${at}#${pad(stateVersion)}#${String(index).padStart(3, "0")}`),
};

export const lockItem = {
  sort: "TURN",
  key: (sessionId: string) => key(sessionId, "TURN"),
};

/**
 * A questionnaire session's template, on an index by user and template
 * (byUserTemplate, gsi1): a connection opened with `?templateId=` finds the
 * user's latest session of that template there, to resume it.
 */
export const questionnaireItem = {
  sort: "QUESTIONNAIRE",
  key: (sessionId: string) => key(sessionId, "QUESTIONNAIRE"),
  byUserTemplate: {
    attributes: (userId: string, templateId: string, createdAt: string) => ({ gsi1pk: `QUESTIONNAIRE#${userId}#${templateId}`, gsi1sk: createdAt }),
    latest: (userId: string, templateId: string) => ({
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :pk",
      ExpressionAttributeValues: { ":pk": `QUESTIONNAIRE#${userId}#${templateId}` },
      ScanIndexForward: false,
      Limit: 1,
    }),
  },
};

/** A WebSocket connection subscribed to the session (fan-out is a Query on this prefix). */
export const membershipItem = {
  prefix: "CONN#",
  key: (sessionId: string, connectionId: string) => key(sessionId, `CONN#${connectionId}`),
};

/**
 * Which items of an expiring session's partition carry the session's TTL
 * horizon (`ttl`, the session item's own; see conversation/expiry.ts): the
 * session item, its messages, feedback, flow state (current and every
 * version), phase transitions and the questionnaire pointer — written with
 * it, re-stamped when it moves, cleared when the session stops expiring.
 * The turn lock, resend records and memberships keep a shorter TTL of
 * their own and are never re-stamped: each expires by itself well before
 * the session's horizon.
 */
export const sessionTtl = {
  families: [sessionItem.sort, messageItem.prefix, feedbackItem.prefix, flowStateItem.currentSort, flowStateItem.versionPrefix, transitionItem.prefix, questionnaireItem.sort] as const,
  /** Whether the item with this sort key carries the session's TTL (the session item is written by its own writes). */
  carried: (sk: string) => sk !== sessionItem.sort && sessionTtl.families.some((family) => (family.endsWith("#") ? sk.startsWith(family) : sk === family)),
};

export const sessionPartition = {
  pk: partition,
  /** The Query key condition of the whole partition, or of one prefix of it. */
  all: (sessionId: string) => ({ KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": partition(sessionId) } }),
  withPrefix: (sessionId: string, prefix: string) => ({
    KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
    ExpressionAttributeValues: { ":pk": partition(sessionId), ":prefix": prefix },
  }),
};

/** A user's sessions, on the two indexes of the session item. */
export const userSessions = {
  partition: (userId: string) => `USER#${userId}`,
  /** byUserState (gsi1): a user's sessions in one state, newest activity first. */
  byUserState: {
    index: "gsi1",
    sortPrefix: (state: string) => `${state}#`,
    sort: (state: string, lastActivity: string, sessionId: string) => `${state}#${lastActivity}#${sessionId}`,
    /** The exact key of an item on this index in one state: what a cursor may hold. */
    cursorFormat: (userId: string, state: string) => ({
      attributes: {
        pk: new RegExp(`^SESSION#${sessionIdPattern}$`),
        sk: /^SESSION$/,
        gsi1pk: /^USER#.+$/,
        gsi1sk: new RegExp(`^${state}#${isoTime}#${sessionIdPattern}$`),
      },
      equals: { gsi1pk: `USER#${userId}` },
    }),
  },
  /** byUserActivity (gsi2): all of a user's sessions, newest activity first. */
  byUserActivity: {
    index: "gsi2",
    sort: (lastActivity: string, sessionId: string) => `${lastActivity}#${sessionId}`,
    cursorFormat: (userId: string) => ({
      attributes: {
        pk: new RegExp(`^SESSION#${sessionIdPattern}$`),
        sk: /^SESSION$/,
        gsi2pk: /^USER#.+$/,
        gsi2sk: new RegExp(`^${isoTime}#${sessionIdPattern}$`),
      },
      equals: { gsi2pk: `USER#${userId}` },
    }),
  },
};
