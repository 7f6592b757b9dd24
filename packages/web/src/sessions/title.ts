/** How a session is named wherever it is listed or shown. */
import type { Session } from "@coach/client";

const flowLabels: Record<string, string> = { okr: "OKR coach", chat: "Chat" };

export const flowLabel = (flow: string) => flowLabels[flow] ?? flow;

const phaseLabels: Record<string, string> = {
  discovery: "Discovery",
  refinement: "Refinement",
  kr_discovery: "Key results",
  validation: "Validation",
  complete: "Complete",
  chat: "Chat",
};

export const phaseLabel = (phase: string) => phaseLabels[phase] ?? phase;

const when = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export const formatTime = (iso: string) => when.format(new Date(iso));

/** Flow, created time, phase: what tells two sessions apart in a list. */
export function sessionTitle(session: Session): string {
  const parts = [flowLabel(session.flow), formatTime(session.createdAt)];
  // A chat's one phase says nothing.
  if (session.flow !== "chat") parts.push(phaseLabel(session.phase));
  return parts.join(" · ");
}

export function stateLabel(session: Session): string {
  if (session.isResolved) return "Resolved";
  return session.status === "active" ? "Active" : "Unresolved";
}
