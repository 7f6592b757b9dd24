import { afterEach, describe, expect, it } from "vitest";
import type { ServerEvent } from "@coach/core/realtime";
import { queryAll } from "@coach/core/table";
import { sessionPartition, sessionTtl } from "../../../core/src/conversation/partition";
import { testClock } from "../../../core/test/support/clock";
import { newUser } from "../support/api";
import { RealtimeClient } from "../realtime/support/ws-client";
import { useRealtimeStack } from "../realtime/support/realtime-stack";
import { newTemplateId, putProjectBrief } from "./support";

/**
 * Expiry of an incomplete questionnaire, end to end with real `ws` clients
 * on `?templateId=` connections: it is gone a day (the default period)
 * after its last activity, judged by core's clock — moved here by hand, so
 * a day passes without waiting and no verdict depends on the machine's
 * speed. DynamoDB Local never runs TTL deletions, so everything seen here
 * is the logical expiry; the physical one is checked as the `ttl` every
 * item carries.
 */
const realtime = useRealtimeStack();

afterEach(() => testClock.reset());

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const MINUTE = 60 * 1000;

const putTemplate = () => putProjectBrief(realtime, newTemplateId("expiry"));

/** A connection for the template, as the questionnaire's own client opens it; and what it is first told. */
async function open(user: string, templateId: string) {
  const client = await RealtimeClient.connectUrl(`${realtime.stack.wsUrl}/?token=${realtime.stack.issuer.token(user)}&templateId=${templateId}`, user);
  const asked = await client.waitFor("next_question", () => true);
  return { client, asked, resumed: client.events.find((event) => event.type === "session_resumed") };
}

/**
 * Answers with a classic `user_message` frame and waits for the whole turn:
 * the question (or the document) and the stored reply, so the clock is only
 * moved once every write of the turn is done.
 */
async function answer(client: RealtimeClient, content: string): Promise<ServerEvent> {
  const from = client.mark();
  client.sendRaw(JSON.stringify({ type: "user_message", content }));
  const next = await client.waitForAny((event) => event.type === "next_question" || event.type === "session_complete", `the answer to "${content}"`, { from });
  await client.waitFor("message_complete", (event) => event.message.role === "assistant", { from });
  return next;
}

async function disconnect(client: RealtimeClient): Promise<void> {
  client.ws.close();
  await client.closed;
}

async function getSession(user: string, sessionId: string) {
  return realtime.api.get(`/api/sessions/${sessionId}`, { as: user });
}

async function listed(user: string, type: "recent" | "active"): Promise<string[]> {
  const response = await realtime.api.get(`/api/sessions?type=${type}&limit=100`, { as: user });
  expect(response.status, response.text).toBe(200);
  return (response.body.sessions as { id: string }[]).map((session) => session.id);
}

/** Every item of the session's partition, read straight from the table. */
const partitionItems = (sessionId: string) => queryAll({ ...sessionPartition.all(sessionId), ConsistentRead: true });

const seconds = (ms: number) => Math.ceil(ms / 1000);

describe("an incomplete questionnaire's expiry", () => {
  it("is resumed up to a day after its last activity, and gone after: a new connection starts fresh", async () => {
    const user = newUser();
    const templateId = await putTemplate();
    const start = Date.now();
    testClock.set(start);

    const first = await open(user, templateId);
    const sessionId = first.asked.sessionId;
    expect(await answer(first.client, "Apollo")).toMatchObject({ type: "next_question", question: { id: "start" } });
    await disconnect(first.client);
    const created = (await getSession(user, sessionId)).body;
    // Every activity so far happened at `start`: it expires a day later; its horizon is two days out.
    expect(created).toMatchObject({ expiresAt: new Date(start + DAY).toISOString(), ttl: seconds(start + 2 * DAY) });

    // A minute short of a day after the last answer: still there, resumed as it was.
    const beforeDay = start + DAY - MINUTE;
    testClock.set(beforeDay);
    const second = await open(user, templateId);
    expect(second.resumed).toMatchObject({ sessionId });
    expect(second.asked).toMatchObject({ sessionId, question: { id: "start" }, progress: { answered: 1 } });
    // An answer is activity: the expiry moves a day on from it.
    expect(await answer(second.client, "2026-05-03")).toMatchObject({ type: "next_question", question: { id: "budget" } });
    await disconnect(second.client);
    const touched = (await getSession(user, sessionId)).body;
    expect(touched.expiresAt).toBe(new Date(beforeDay + DAY).toISOString());

    // Past a day after the first answer, but not after the last: still resumed.
    testClock.set(beforeDay + DAY - MINUTE);
    const third = await open(user, templateId);
    expect(third.resumed).toMatchObject({ sessionId });
    await disconnect(third.client);

    // Past a day after the last answer: gone, to every reader, though DynamoDB Local still holds every item.
    testClock.set(beforeDay + DAY + MINUTE);
    expect(await partitionItems(sessionId)).not.toHaveLength(0);
    const gone = await getSession(user, sessionId);
    expect(gone.status, gone.text).toBe(404);
    expect(await listed(user, "recent")).not.toContain(sessionId);
    expect(await listed(user, "active")).not.toContain(sessionId);
    const plain = await realtime.connect(user);
    await plain.expectError({ action: "join_session", sessionId }, "not_found");
    await plain.expectError({ action: "send_message", sessionId, clientMessageId: "late-1", content: "Medium" }, "not_found");

    // Connecting again starts a new questionnaire from its first question.
    const fresh = await open(user, templateId);
    expect(fresh.resumed).toBeUndefined();
    expect(fresh.asked.sessionId).not.toBe(sessionId);
    expect(fresh.asked).toMatchObject({ question: { id: "name" }, progress: { answered: 0, total: 5 } });
    expect(await listed(user, "recent")).toEqual([fresh.asked.sessionId]);
    await disconnect(fresh.client);
  });

  it("puts its TTL on every item of its partition, and moves it (re-stamping the older items) only after half a period", async () => {
    const user = newUser();
    const templateId = await putTemplate();
    const start = Date.now();
    testClock.set(start);
    const first = await open(user, templateId);
    const sessionId = first.asked.sessionId;
    await answer(first.client, "Apollo");

    const horizon = seconds(start + 2 * DAY);
    const expectStamped = async (ttl: number) => {
      const items = await partitionItems(sessionId);
      const session = items.find((item) => item.sk === "SESSION");
      expect(session).toMatchObject({ ttl });
      expect(ttl).toBeGreaterThanOrEqual(seconds(Date.parse(String(session?.expiresAt))));
      // Messages, flow state and its versions, the transitions, the questionnaire pointer: the session's TTL.
      const carriers = items.filter((item) => sessionTtl.carried(String(item.sk)));
      expect(carriers.map((item) => String(item.sk).replace(/#.*/, "#"))).toEqual(expect.arrayContaining(["MSG#", "FLOWSTATE#", "QUESTIONNAIRE", "STATE"]));
      for (const item of carriers) expect({ sk: item.sk, ttl: item.ttl }).toEqual({ sk: item.sk, ttl });
      // The rest (resend records, memberships, the lock) expire sooner, on their own TTL: nothing of it outlives the session unbounded.
      for (const item of items) expect({ sk: item.sk, ttl: typeof item.ttl }).toEqual({ sk: item.sk, ttl: "number" });
      return items;
    };
    await expectStamped(horizon);

    // Activity within half a period: the expiry moves, the horizon stays (no item is rewritten).
    const early = start + 11 * HOUR;
    testClock.set(early);
    await answer(first.client, "2026-05-03");
    expect((await getSession(user, sessionId)).body.expiresAt).toBe(new Date(early + DAY).toISOString());
    const before = await expectStamped(horizon);

    // Activity once the horizon is less than 1.5 periods away: it moves two periods out, and the older items with it.
    const late = start + 13 * HOUR;
    testClock.set(late);
    await answer(first.client, "skip");
    const after = await expectStamped(seconds(late + 2 * DAY));
    expect(after.filter((item) => String(item.sk).startsWith("MSG#")).length).toBe(before.filter((item) => String(item.sk).startsWith("MSG#")).length + 2);
    await disconnect(first.client);
  });

  it("stops once the questionnaire is complete: no item keeps the session's TTL, and it never expires", async () => {
    const user = newUser();
    const templateId = await putTemplate();
    const start = Date.now();
    testClock.set(start);
    const { client, asked } = await open(user, templateId);
    const sessionId = asked.sessionId;
    for (const content of ["Apollo", "2026-05-03", "skip", "Small"]) expect(await answer(client, content)).toMatchObject({ type: "next_question" });
    const done = await answer(client, "lead@example.com");
    expect(done).toMatchObject({ type: "session_complete", sessionId });
    await client.closed;

    const items = await partitionItems(sessionId);
    const session = items.find((item) => item.sk === "SESSION");
    expect(session).toMatchObject({ phase: "complete" });
    expect(session).not.toHaveProperty("ttl");
    expect(session).not.toHaveProperty("expiresAt");
    const carriers = items.filter((item) => sessionTtl.carried(String(item.sk)));
    expect(carriers.map((item) => String(item.sk).replace(/#.*/, "#"))).toEqual(expect.arrayContaining(["MSG#", "FLOWSTATE#", "TRANSITION#", "QUESTIONNAIRE", "STATE"]));
    for (const item of carriers) expect({ sk: item.sk, ttl: item.ttl }).toEqual({ sk: item.sk, ttl: undefined });

    // Days later it is all still there: the session, in the user's lists, and its document.
    testClock.set(start + 10 * DAY);
    const later = await getSession(user, sessionId);
    expect(later.status, later.text).toBe(200);
    expect(later.body).toMatchObject({ id: sessionId, phase: "complete" });
    expect(later.body).not.toHaveProperty("expiresAt");
    expect(await listed(user, "recent")).toContain(sessionId);
    expect((await realtime.api.get(`/api/documents/${(done as { documentId: string }).documentId}`, { as: user })).status).toBe(200);
  });
});
