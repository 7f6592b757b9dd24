/**
 * A coaching conversation through the typed client: create a session over
 * REST, talk to the coach over the WebSocket (replies streamed word by word),
 * then read the OKR set.
 *
 *   pnpm start                                  # in one terminal
 *   COACH_TOKEN=$(pnpm --silent token alice) pnpm tsx examples/conversation.ts
 *
 * COACH_URL (http://127.0.0.1:3000) and COACH_WS_URL (ws://127.0.0.1:3001) point it elsewhere.
 */
import { ConversationClient, RealtimeClient, type WebSocketConstructor } from "@coach/client";

const baseUrl = process.env.COACH_URL ?? "http://127.0.0.1:3000";
const wsUrl = process.env.COACH_WS_URL ?? "ws://127.0.0.1:3001";
const token = process.env.COACH_TOKEN;
if (!token) {
  console.error("Set COACH_TOKEN, e.g.  COACH_TOKEN=$(pnpm --silent token alice) pnpm tsx examples/conversation.ts");
  process.exit(1);
}

// Node 22 and browsers have a global WebSocket; Node 20 needs the `ws` package.
const WebSocketImpl: WebSocketConstructor = globalThis.WebSocket ?? (await import("ws")).default;

const api = new ConversationClient({ baseUrl, token });
const session = await api.createSession({ flow: "okr", metadata: { source: "examples/conversation.ts" } });
console.log(`session ${session.id} (phase: ${session.phase})`);

const realtime = new RealtimeClient({ url: wsUrl, token, WebSocket: WebSocketImpl });
realtime.on("message_delta", (event) => process.stdout.write(event.delta));
realtime.on("phase_transition", (event) => console.log(`\n  [phase: ${event.from} → ${event.to}]`));
realtime.on("stream_reset", () => console.log("\n  [connection lost mid-reply; the full reply follows]"));
realtime.on("reconnecting", (event) => console.log(`  [reconnecting in ${event.delayMs} ms, attempt ${event.attempt}]`));
await realtime.join(session.id);

const messages = [
  "Hi! I'm a product manager at Habitly, a habit-tracking app. Mostly I want to grow our weekly active users: lots of people sign up, try the app for a few days and then drift away.",
  "The real point is that people should build a lasting habit with us. So maybe: make Habitly the app people open every week to keep their habits on track.",
];
for (const content of messages) {
  process.stdout.write(`\nYou: ${content}\nCoach: `);
  const reply = await realtime.send(session.id, content); // resolves with the completed reply; survives reconnects
  process.stdout.write(`\n  (message #${reply.seq}, ${reply.usage?.outputTokens ?? "?"} output tokens)\n`);
}
await realtime.close();

const okrs = await api.okrs(session.id);
console.log(`\nOKR set — phase ${okrs.phase}, draft version ${okrs.draftVersion}`);
const objective = okrs.draft.objective;
console.log(`  Objective: ${objective ? `${objective.statement} — ${okrs.scores.objective.score}/100` : "(not drafted yet)"}`);
for (const kr of okrs.draft.keyResults) {
  const score = okrs.scores.keyResults.find((s) => s.id === kr.id)?.score ?? 0;
  console.log(`  ${kr.id.toUpperCase()}: ${kr.statement} — ${score}/100`);
}
console.log(`  Overall: ${okrs.scores.overall}/100 — ${okrs.scores.passes ? "passes" : "does not pass the rubric yet"}`);
const history = await api.allMessages(session.id);
console.log(`\n${history.length} messages stored; local history matches: ${JSON.stringify(realtime.history(session.id)) === JSON.stringify(history)}`);
