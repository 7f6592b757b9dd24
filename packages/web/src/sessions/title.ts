/** How a session is named wherever it is listed or shown. */
import type { Session } from "@coach/client";

const flowLabels: Record<string, string> = { okr: "OKR coach", chat: "Chat", questionnaire: "Questionnaire" };

export const flowLabel = (flow: string) => flowLabels[flow] ?? flow;

const phaseLabels: Record<string, string> = {
  discovery: "Discovery",
  refinement: "Refinement",
  kr_discovery: "Key results",
  validation: "Validation",
  complete: "Complete",
  chat: "Chat",
  answering: "Answering",
};

export const phaseLabel = (phase: string) => phaseLabels[phase] ?? phase;

const when = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export const formatTime = (iso: string) => when.format(new Date(iso));

/** Flow (a questionnaire: its template's title, as the app stored it), created time, phase: what tells two sessions apart in a list. */
export function sessionTitle(session: Session): string {
  const template = session.flow === "questionnaire" ? session.metadata.templateTitle : undefined;
  const parts = [typeof template === "string" && template ? `${flowLabel(session.flow)}: ${template}` : flowLabel(session.flow), formatTime(session.createdAt)];
  // A chat's one phase says nothing.
  if (session.flow !== "chat") parts.push(phaseLabel(session.phase));
  return parts.join(" · ");
}

export function stateLabel(session: Session): string {
  if (session.isResolved) return "Resolved";
  return session.status === "active" ? "Active" : "Unresolved";
}
