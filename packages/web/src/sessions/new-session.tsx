/** "New session": pick the flow (and a questionnaire's template), create it, open it. */
import type { CreateSessionInput, FlowName, Session, TemplateSummary } from "@coach/client";
import { useState } from "preact/hooks";
import { useApi } from "../api";
import { TemplatePicker } from "../questionnaire/template-picker";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { flowLabel } from "./title";

const FLOWS: readonly FlowName[] = ["okr", "chat", "questionnaire"];
const FLOW_HINTS: Record<FlowName, string> = {
  okr: "shapes an objective and its key results, phase by phase",
  chat: "a free conversation",
  questionnaire: "answers a template's questions one by one, and writes a document",
};

export function NewSession({ onCreated }: { onCreated: (session: Session) => void }) {
  const { rest } = useApi();
  const [open, setOpen] = useState(false);
  const [flow, setFlow] = useState<FlowName>("okr");
  const [template, setTemplate] = useState<TemplateSummary>();

  const input = (): CreateSessionInput => {
    if (flow !== "questionnaire") return { flow };
    if (!template) throw new Error("Choose a template");
    // The template's title names the session in the list (a session stores only the template's id).
    return { flow, templateId: template.id, metadata: { templateTitle: template.title } };
  };

  return (
    <>
      <button type="button" class="primary new-session" onClick={() => setOpen(true)}>
        New session
      </button>
      <ConfirmDialog open={open} title="New session" confirmLabel="Create" onClose={() => setOpen(false)} onConfirm={async () => onCreated(await rest.createSession(input()))}>
        <fieldset class="field choices">
          <legend>Flow</legend>
          {FLOWS.map((name) => (
            <label key={name} class="choice">
              <input type="radio" name="flow" value={name} checked={flow === name} onChange={() => setFlow(name)} />
              <span>
                {flowLabel(name)} <span class="muted">— {FLOW_HINTS[name]}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {flow === "questionnaire" && <TemplatePicker value={template?.id} onChange={setTemplate} />}
      </ConfirmDialog>
    </>
  );
}
