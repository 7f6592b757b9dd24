/** Moves the session to a phase by hand; the flow may refuse (409), and then says why. */
import type { Session } from "@coach/client";
import { useEffect, useId, useState } from "preact/hooks";
import { useApi } from "../api";
import { errorText } from "../errors";
import { phaseLabel } from "../sessions/title";
import { OKR_PHASES } from "./phases";

interface ForcePhaseProps {
  sessionId: string;
  phase: string;
  onTransition: (session: Session) => void;
}

export function ForcePhase({ sessionId, phase, onTransition }: ForcePhaseProps) {
  const { rest } = useApi();
  const selectId = useId();
  const [to, setTo] = useState(phase);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => setTo(phase), [phase]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onTransition((await rest.transition(sessionId, to)).session);
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="force-phase" onSubmit={submit}>
      <label for={selectId}>Phase</label>
      <div class="row">
        <select id={selectId} value={to} onChange={(event) => setTo(event.currentTarget.value)}>
          {OKR_PHASES.map((name) => (
            <option key={name} value={name}>
              {phaseLabel(name)}
            </option>
          ))}
        </select>
        <button type="submit" disabled={busy}>
          Force phase
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
