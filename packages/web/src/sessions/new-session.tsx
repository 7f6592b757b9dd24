/** "New session": pick the flow, create it, open it. */
import type { FlowName, Session } from "@coach/client";
import { useState } from "preact/hooks";
import { useApi } from "../api";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { flowLabel } from "./title";

const FLOWS: readonly FlowName[] = ["okr", "chat"];
const FLOW_HINTS: Record<FlowName, string> = { okr: "shapes an objective and its key results, phase by phase", chat: "a free conversation" };

export function NewSession({ onCreated }: { onCreated: (session: Session) => void }) {
  const { rest } = useApi();
  const [open, setOpen] = useState(false);
  const [flow, setFlow] = useState<FlowName>("okr");

  return (
    <>
      <button type="button" class="primary new-session" onClick={() => setOpen(true)}>
        New session
      </button>
      <ConfirmDialog open={open} title="New session" confirmLabel="Create" onClose={() => setOpen(false)} onConfirm={async () => onCreated(await rest.createSession({ flow }))}>
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
      </ConfirmDialog>
    </>
  );
}
