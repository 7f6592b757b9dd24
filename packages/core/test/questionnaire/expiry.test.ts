import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { withActor } from "@coach/core/actor";
import { config, ConfigError, loadSection } from "@coach/core/config";
import * as Conversation from "@coach/core/conversation";
import * as Questionnaire from "@coach/core/questionnaire";
import { queryAll } from "@coach/core/table";
import * as Template from "@coach/core/template";
import { afterActivity, startExpiry } from "../../src/conversation/expiry";
import { sessionPartition } from "../../src/conversation/partition";
import { testClock } from "../support/clock";
import { errorOf } from "../support/errors";
import { createSession } from "../support/sessions";

// This file's process runs with a period of 2 hours: the config reads it on first use (after this line).
process.env.QUESTIONNAIRE_EXPIRY_HOURS = "2";

const HOUR = 60 * 60 * 1000;
const PERIOD = 2 * HOUR;
const MINUTE = 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

afterEach(() => testClock.reset());

const newUser = () => `user-${randomUUID()}`;
const as = <T>(userId: string, fn: () => Promise<T>) => withActor({ type: "user", userId }, async () => fn());

async function putTemplate(): Promise<string> {
  const id = `expiry-${randomUUID().slice(0, 8)}`;
  await withActor({ type: "apiKey", keyId: "expiry-test", name: "test" }, () =>
    Template.putTemplate({
      id,
      title: "Check-in",
      description: "A short check-in",
      questions: [
        { id: "name", text: "Your name?", kind: "text", required: true },
        { id: "team", text: "Which team?", kind: "text", required: true },
      ],
      document: { title: "Check-in", body: "{{name}} joins {{team}}." },
    }),
  );
  return id;
}

describe("the questionnaire expiry setting", () => {
  it("is QUESTIONNAIRE_EXPIRY_HOURS, whole hours from 1 (a year at most), 24 by default", () => {
    expect(loadSection("questionnaire", {})).toEqual({ expiryHours: 24 });
    expect(loadSection("questionnaire", { QUESTIONNAIRE_EXPIRY_HOURS: "48" })).toEqual({ expiryHours: 48 });
    for (const bad of ["0", "1.5", "-3", "day", "8761"]) {
      expect(() => loadSection("questionnaire", { QUESTIONNAIRE_EXPIRY_HOURS: bad }), bad).toThrow(ConfigError);
      expect(() => loadSection("questionnaire", { QUESTIONNAIRE_EXPIRY_HOURS: bad }), bad).toThrow(/QUESTIONNAIRE_EXPIRY_HOURS/);
    }
  });

  it("is the process's period: what this file's environment set", () => {
    expect(config().questionnaire.expiryHours).toBe(2);
    const now = Date.parse("2026-03-01T10:00:00.000Z");
    expect(startExpiry(now)).toEqual({ expiresAt: iso(now + PERIOD), ttl: (now + 2 * PERIOD) / 1000 });
  });
});

describe("an expiring session's activity", () => {
  const created = Date.parse("2026-03-01T10:00:00.000Z");
  const session = startExpiry(created);

  it("moves the expiry a period on, and the horizon only once it is less than 1.5 periods away", () => {
    const early = created + PERIOD / 2 - MINUTE;
    expect(afterActivity(session, early)).toEqual({ expiry: { expiresAt: iso(early + PERIOD), ttl: session.ttl } });
    const late = created + PERIOD / 2 + MINUTE;
    const ttl = (late + 2 * PERIOD) / 1000;
    expect(afterActivity(session, late)).toEqual({ expiry: { expiresAt: iso(late + PERIOD), ttl }, restamp: ttl });
  });

  it("leaves a session without an expiry alone", () => {
    expect(afterActivity({}, created)).toBeUndefined();
  });
});

describe("a questionnaire session with a period of 2 hours", () => {
  it("expires 2 hours after its last message, and is then gone from reads and lists", async () => {
    const user = newUser();
    const templateId = await putTemplate();
    const start = Date.now();
    testClock.set(start);
    const session = await as(user, () => Questionnaire.startSession({ templateId }));
    expect(session).toMatchObject({ expiresAt: iso(start + PERIOD), ttl: Math.ceil((start + 2 * PERIOD) / 1000) });

    testClock.set(start + PERIOD - MINUTE);
    await as(user, () => Conversation.appendMessage({ sessionId: session.id, role: "user", content: "Ada" }));
    const touched = await as(user, () => Conversation.get(session.id));
    expect(touched.expiresAt).toBe(iso(start + 2 * PERIOD - MINUTE));
    // More than half the period on: the horizon moved, and every item of the partition carries it.
    expect(touched.ttl).toBe(Math.ceil((start + PERIOD - MINUTE + 2 * PERIOD) / 1000));
    const items = await queryAll({ ...sessionPartition.all(session.id), ConsistentRead: true });
    expect(items.map((item) => [item.sk, item.ttl])).toEqual(items.map((item) => [item.sk, touched.ttl]));

    testClock.set(start + 2 * PERIOD - MINUTE - 1);
    expect((await as(user, () => Conversation.list({ type: "active" }))).items.map((s) => s.id)).toContain(session.id);
    testClock.set(start + 2 * PERIOD - MINUTE);
    expect((await errorOf(as(user, () => Conversation.get(session.id)))).code).toBe("session.not_found");
    expect((await errorOf(as(user, () => Conversation.appendMessage({ sessionId: session.id, role: "user", content: "late" })))).code).toBe("session.not_found");
    for (const type of ["active", "recent"] as const) expect((await as(user, () => Conversation.list({ type }))).items.map((s) => s.id)).not.toContain(session.id);
  });

  it("leaves sessions of other flows without an expiry: no attribute on any of their items", async () => {
    const user = newUser();
    const session = await as(user, () => createSession({ flow: "chat" }));
    await as(user, () => Conversation.appendMessage({ sessionId: session.id, role: "user", content: "hello" }));
    testClock.set(Date.now() + 365 * 24 * HOUR);
    const read = await as(user, () => Conversation.get(session.id));
    expect(read).not.toHaveProperty("expiresAt");
    expect(read).not.toHaveProperty("ttl");
    const items = await queryAll({ ...sessionPartition.all(session.id), ConsistentRead: true });
    for (const item of items) expect(item).not.toHaveProperty("ttl");
  });
});
