import type { Locator, Page } from "playwright-core";
import { streams } from "../../../../test/offline-coach-per-turn";
import { eventually, textOf, type SignedIn } from "./browser";

/**
 * The web app as its accessible names describe it (the contract in
 * packages/web): every locator the browser tests use is here, by role and
 * name, so a change of the contract is a change of this file.
 */
export function app(page: Page) {
  return {
    page,
    sessions: page.getByRole("list", { name: "Sessions" }),
    tab: (name: "Active" | "Unresolved" | "Recent") => page.getByRole("tab", { name }),
    newSession: page.getByRole("button", { name: "New session" }),
    message: page.getByRole("textbox", { name: "Message" }),
    send: page.getByRole("button", { name: "Send", exact: true }),
    stop: page.getByRole("button", { name: "Stop", exact: true }),
    /** The aria-live region the streaming reply is written to (the connection's and the typing indicator's status lines are the others). */
    live: page.locator("[aria-live]:not([role=status])"),
    status: page.getByRole("status"),
    okr: page.getByRole("region", { name: "OKR" }),
    thumbsUp: page.getByRole("button", { name: "Thumbs up" }),
    thumbsDown: page.getByRole("button", { name: "Thumbs down" }),
    comment: page.getByRole("textbox", { name: "Comment" }),
    sendFeedback: page.getByRole("button", { name: "Send feedback" }),
    /** A questionnaire's question asked now, with its progress bar, quick answers and Skip. */
    question: page.getByRole("region", { name: "Current question" }),
    progress: page.getByRole("progressbar", { name: "Progress" }),
    skip: page.getByRole("button", { name: "Skip", exact: true }),
    /** A completed questionnaire's document, with its downloads. */
    document: page.getByRole("region", { name: "Document ready" }),
    downloadMarkdown: page.getByRole("button", { name: "Download Markdown" }),
    downloadPdf: page.getByRole("button", { name: "Download PDF" }),
  };
}
export type App = ReturnType<typeof app>;

export interface StoredMessage {
  id: string;
  role: "user" | "assistant" | "system";
  content: string;
  status: string;
  stopReason?: string;
  seq: number;
}

export interface SessionInfo {
  id: string;
  flow: string;
  phase: string;
  status: string;
  isResolved: boolean;
}

export async function sessionsOf(user: SignedIn, type: "active" | "unresolved" | "recent" = "recent"): Promise<SessionInfo[]> {
  return ((await (await user.api(`/api/sessions?type=${type}`)).json()) as { sessions: SessionInfo[] }).sessions;
}

export async function messagesOf(user: SignedIn, sessionId: string): Promise<StoredMessage[]> {
  return ((await (await user.api(`/api/sessions/${sessionId}/messages?limit=100`)).json()) as { messages: StoredMessage[] }).messages;
}

/** "New session", the flow, "Create": the new session's id (the newest of the user's, through the API). */
export async function createSession(user: SignedIn, flow: "OKR coach" | "chat"): Promise<string> {
  const ui = app(user.page);
  const before = new Set((await sessionsOf(user)).map((s) => s.id));
  await ui.newSession.click();
  await user.page.getByRole("radio", { name: new RegExp(flow, "i") }).check();
  await user.page.getByRole("button", { name: "Create" }).click();
  const [created] = await eventually(
    "the created session, through the API",
    async () => (await sessionsOf(user)).filter((s) => !before.has(s.id)),
    (fresh) => fresh.length === 1,
  );
  await ui.message.waitFor();
  return created!.id;
}

export interface TemplateQuestion {
  id: string;
  text: string;
  kind: "text" | "number" | "date" | "choice" | "email";
  required: boolean;
  options?: string[];
  help?: string;
}

export interface TemplateInput {
  id: string;
  title: string;
  description: string;
  questions: TemplateQuestion[];
  document: { title: string; body: string };
}

/** Puts a questionnaire template as an operator does (test stacks load no example templates). */
export async function putTemplate(stack: { httpUrl: string; devApiKey: string }, template: TemplateInput): Promise<void> {
  const response = await fetch(`${stack.httpUrl}/api/templates/${template.id}`, {
    method: "PUT",
    headers: { "x-api-key": stack.devApiKey, "content-type": "application/json" },
    body: JSON.stringify(template),
  });
  if (!response.ok) throw new Error(`PUT /api/templates/${template.id}: ${response.status} ${await response.text()}`);
}

/**
 * A reply's text as the app shows it once its Markdown is rendered (markers of
 * emphasis, code, headings and quotes gone; underscores in words are text):
 * what the tests compare.
 */
export const plain = (text: string) =>
  text
    .replace(/^\s{0,3}(#{1,6}|>)\s*/gm, "")
    .replace(/\*\*|[*`]/g, "")
    .replace(/\s+/g, " ")
    .trim();

/**
 * Types a message and presses Enter; waits until the offline coach has
 * written the whole reply, the stack has stored it, and the app shows it
 * complete ("Send" back, no "Stop"). Returns the stored reply.
 */
export function sendAndAwaitReply(user: SignedIn, sessionId: string, content: string): Promise<StoredMessage> {
  return actAndAwaitReply(user, sessionId, () => typeAndEnter(app(user.page), content));
}

/** `act` sends one message (Enter in the message box, a quick-answer button…); waits as sendAndAwaitReply does. */
export async function actAndAwaitReply(user: SignedIn, sessionId: string, act: () => Promise<void>): Promise<StoredMessage> {
  const turn = streams.length;
  const stored = (await messagesOf(user, sessionId)).length;
  await act();
  await eventually("the offline coach's reply to end", () => streams[turn]?.ended ?? false, Boolean);
  return await awaitShownReply(user, sessionId, stored + 2);
}

export async function typeAndEnter(ui: App, content: string): Promise<void> {
  await ui.message.fill(content);
  await ui.message.press("Enter");
}

/** The stored reply that makes the session's messages `count` long, once the app shows it with "Send" back. */
export async function awaitShownReply(user: SignedIn, sessionId: string, count: number): Promise<StoredMessage> {
  const ui = app(user.page);
  const messages = await eventually(
    "the reply, stored",
    () => messagesOf(user, sessionId),
    (all) => all.length >= count && all.at(-1)?.role === "assistant",
  );
  const reply = messages.at(-1)!;
  await textOf(user.page.locator("main"), `the reply ${reply.id} on the page`, (text) => text.includes(firstLine(reply.content)));
  await ui.send.waitFor();
  await ui.stop.waitFor({ state: "detached" });
  return reply;
}

/** The first line of a reply, as shown: enough to tell one reply from another. */
export const firstLine = (content: string) => plain(content.split("\n").find((line) => line.trim()) ?? "");

/** The words a held reply has streamed so far (the offline coach streams word by word). */
export function firstWords(content: string, n: number): string {
  return plain(content.split(/(?<=\s)/).slice(0, n).join(""));
}

/** Waits until the locator's text contains `text`. */
export function shows(locator: Locator, what: string, text: string): Promise<string> {
  return textOf(locator, what, (shown) => shown.includes(text));
}
