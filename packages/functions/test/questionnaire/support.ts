import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { RealtimeStack } from "../realtime/support/realtime-stack";

/** A fresh template id (templates are shared by every test of a run). */
export const newTemplateId = (prefix = "brief") => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Stores a template as an operator does (`PUT /api/templates/{id}` with the stack's API key); answers its id. */
export async function putTemplate(realtime: RealtimeStack, template: { id: string } & Record<string, unknown>): Promise<string> {
  const response = await realtime.api.call("PUT", `/api/templates/${template.id}`, { headers: { "x-api-key": realtime.stack.devApiKey }, json: template });
  expect(response.status, response.text).toBeLessThan(300);
  return template.id;
}

/** The project brief the questionnaire tests answer: one question of every kind, one of them optional. */
export function putProjectBrief(realtime: RealtimeStack, id: string): Promise<string> {
  return putTemplate(realtime, {
    id,
    title: "Project brief",
    description: "What a new project needs to start",
    questions: [
      { id: "name", text: "What is the project called?", kind: "text", required: true },
      { id: "start", text: "When does it start?", kind: "date", required: true },
      { id: "budget", text: "What is the budget in euros?", kind: "number", required: false },
      { id: "size", text: "How big is the team?", kind: "choice", required: true, options: ["Small", "Medium", "Large"] },
      { id: "contact", text: "Who is the contact?", kind: "email", required: true },
    ],
    document: { title: "Project brief", body: "# {{name}}\n\n- Starts: {{start}}\n- Budget: {{budget}}\n- Team: {{size}}\n- Contact: {{contact}}\n" },
  });
}
