import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import * as Okr from "../../../core/test/support/okr";
import type { ServerEvent } from "@coach/core/realtime";
import { startLocalStack, type LocalStack } from "../../../local/src/stack";
import { testStackConfig } from "../../../../test/env";
import { HANG_CEILING_MS } from "../../../../test/ceiling";

/**
 * A whole coaching session over WebSocket against the offline coach, from the
 * first message to `complete`, through the real handlers, worker and table.
 * The transcript it produces is the README's sample: `pnpm readme:sample`
 * rewrites that section from this run, and this test fails if they differ.
 */
const readmePath = fileURLToPath(new URL("../../../../README.md", import.meta.url));
const markers = { start: "<!-- sample-transcript:start -->", end: "<!-- sample-transcript:end -->" };

let stack: LocalStack;
beforeAll(async () => {
  process.env.OFFLINE_COACH_TODAY = Okr.sampleToday;
  stack = await startLocalStack(testStackConfig());
});
afterAll(async () => {
  delete process.env.OFFLINE_COACH_TODAY;
  await stack?.stop();
});

function connect(token: string): Promise<{ socket: WebSocket; next: (until: (e: ServerEvent) => boolean) => Promise<ServerEvent[]> }> {
  const socket = new WebSocket(`${stack.wsUrl}/?token=${token}`);
  const inbox: ServerEvent[] = [];
  let waiter: (() => void) | undefined;
  socket.on("message", (data) => {
    inbox.push(JSON.parse(data.toString()) as ServerEvent);
    waiter?.();
  });
  /** Every event up to and including the first that satisfies `until`. */
  const next = async (until: (e: ServerEvent) => boolean) => {
    const deadline = Date.now() + HANG_CEILING_MS;
    for (;;) {
      const index = inbox.findIndex(until);
      if (index >= 0) return inbox.splice(0, index + 1);
      if (Date.now() > deadline) throw new Error(`no matching event within ${HANG_CEILING_MS} ms; got ${JSON.stringify(inbox.map((e) => e.type))}`);
      await new Promise<void>((resolve) => {
        waiter = resolve;
        setTimeout(resolve, 100);
      });
    }
  };
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve({ socket, next }));
    socket.once("error", reject);
  });
}

describe("a coaching session with the offline coach", () => {
  it("reaches a complete, scored OKR set over WebSocket, and exports it", async () => {
    const token = stack.issuer.token(`coachee-${Date.now()}`);
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const created = await fetch(`${stack.httpUrl}/api/sessions`, { method: "POST", headers: auth, body: JSON.stringify({ flow: "okr" }) });
    const session = (await created.json()) as { id: string; phase: string };
    expect(session.phase).toBe("discovery");

    const client = await connect(token);
    client.socket.send(JSON.stringify({ action: "join_session", sessionId: session.id }));
    await client.next((e) => e.type === "session_joined");

    const turns: Okr.SampleTurn<never>[] = [];
    const phases: string[] = [];
    let phase = session.phase;
    for (const [i, content] of Okr.sampleUserMessages.entries()) {
      client.socket.send(JSON.stringify({ action: "send_message", sessionId: session.id, clientMessageId: `m${i}`, content }));
      const events = await client.next((e) => e.type === "message_complete" || e.type === "session_error");
      const done = events.at(-1)!;
      if (done.type !== "message_complete") throw new Error(`turn ${i + 1} failed: ${JSON.stringify(done)}`);
      for (const event of events) if (event.type === "phase_transition") phases.push(`${event.from}→${event.to}`);
      phase = [...events].reverse().find((e): e is Extract<ServerEvent, { type: "phase_transition" }> => e.type === "phase_transition")?.to ?? phase;
      turns.push({ user: content, coach: done.message.content, phase, toolCalls: [], effects: [] });
      if (phase === "complete") break;
    }
    client.socket.close();

    expect(phase).toBe("complete");
    expect(turns.length).toBeLessThanOrEqual(12);
    expect(phases).toEqual(expect.arrayContaining(["discovery→refinement", "refinement→kr_discovery", "kr_discovery→validation", "validation→complete"]));

    const okrs = (await (await fetch(`${stack.httpUrl}/api/sessions/${session.id}/okrs`, { headers: auth })).json()) as {
      phase: string;
      draft: Okr.OkrDraft;
      scores: Okr.DraftScore;
      transitions: unknown[];
    };
    expect(okrs.phase).toBe("complete");
    expect(okrs.scores.passes).toBe(true);
    expect(okrs.draft.keyResults.length).toBeGreaterThanOrEqual(2);
    expect(okrs.draft.keyResults.length).toBeLessThanOrEqual(5);
    expect(okrs.transitions.length).toBe(phases.length);

    const markdown = await (await fetch(`${stack.httpUrl}/api/sessions/${session.id}/export?format=markdown`, { headers: auth })).text();
    expect(markdown).toContain(`**Objective:** ${okrs.draft.objective!.statement}`);
    expect(markdown).toContain(`score ${okrs.scores.objective.score}/100`);
    for (const kr of okrs.draft.keyResults) {
      const score = okrs.scores.keyResults.find((s) => s.id === kr.id)!.score;
      expect(markdown).toContain(`| ${kr.id.toUpperCase()}: ${kr.statement} |`);
      expect(markdown).toMatch(new RegExp(`${kr.id.toUpperCase()}: .*\\| ${score}/100 \\|`));
    }
    expect(markdown).toContain(`**Overall:** ${okrs.scores.overall}/100 — passes the rubric`);

    const transcript = Okr.transcriptMarkdown(turns);
    const readme = readFileSync(readmePath, "utf8");
    const start = readme.indexOf(markers.start);
    const end = readme.indexOf(markers.end);
    expect(start, "README has the sample transcript markers").toBeGreaterThanOrEqual(0);
    const section = `${markers.start}\n${transcript}\n${markers.end}`;
    if (process.env.UPDATE_README_SAMPLE === "1") writeFileSync(readmePath, readme.slice(0, start) + section + readme.slice(end + markers.end.length));
    else expect(readme.slice(start, end + markers.end.length), "README sample transcript (regenerate with pnpm readme:sample)").toBe(section);
  });

  it("refuses a forced transition the flow does not allow (409), and allows a valid one", async () => {
    const token = stack.issuer.token(`forcer-${Date.now()}`);
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const session = (await (await fetch(`${stack.httpUrl}/api/sessions`, { method: "POST", headers: auth, body: "{}" })).json()) as { id: string };
    const transition = (to: unknown) => fetch(`${stack.httpUrl}/api/sessions/${session.id}/transition`, { method: "POST", headers: auth, body: JSON.stringify({ to }) });

    for (const to of ["complete", "nowhere", "discovery"]) {
      const refused = await transition(to);
      expect(refused.status, to).toBe(409);
      expect(refused.headers.get("content-type")).toBe("application/problem+json");
      expect(((await refused.json()) as { code: string }).code).toBe("phase.invalid_transition");
    }
    expect((await transition(42)).status).toBe(400);

    const moved = await transition("kr_discovery");
    expect(moved.status).toBe(200);
    const body = (await moved.json()) as { session: { phase: string }; transitions: { from: string; to: string; by: string }[] };
    expect(body.session.phase).toBe("kr_discovery");
    expect(body.transitions).toEqual([expect.objectContaining({ from: "discovery", to: "kr_discovery", by: "user" })]);
    const okrs = (await (await fetch(`${stack.httpUrl}/api/sessions/${session.id}/okrs`, { headers: auth })).json()) as { phase: string; transitions: unknown[] };
    expect(okrs.phase).toBe("kr_discovery");
    expect(okrs.transitions).toHaveLength(1);
  });

  it("answers 404 for the OKRs of a chat session and of someone else's session", async () => {
    const token = stack.issuer.token(`chatter-${Date.now()}`);
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const chat = (await (await fetch(`${stack.httpUrl}/api/sessions`, { method: "POST", headers: auth, body: JSON.stringify({ flow: "chat" }) })).json()) as { id: string };
    const okrOfChat = await fetch(`${stack.httpUrl}/api/sessions/${chat.id}/okrs`, { headers: auth });
    expect(okrOfChat.status).toBe(404);
    const okr = (await (await fetch(`${stack.httpUrl}/api/sessions`, { method: "POST", headers: auth, body: "{}" })).json()) as { id: string };
    const stranger = { authorization: `Bearer ${stack.issuer.token(`stranger-${Date.now()}`)}` };
    expect((await fetch(`${stack.httpUrl}/api/sessions/${okr.id}/okrs`, { headers: stranger })).status).toBe(404);
    expect((await fetch(`${stack.httpUrl}/api/sessions/${okr.id}/transition`, { method: "POST", headers: { ...stranger, "content-type": "application/json" }, body: '{"to":"refinement"}' })).status).toBe(404);
  });
});
