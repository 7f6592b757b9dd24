/** The OKR session's draft as it stands: phase, objective, key results, each with its rubric score. */
import type { Session } from "@coach/client";
import { ForcePhase } from "./force-phase";
import { PhaseStepper } from "./phase-stepper";
import { Score } from "./score";
import { useOkrs } from "./use-okrs";

interface OkrPanelProps {
  session: Session;
  refreshKey: number;
  onTransition: (session: Session) => void;
}

export function OkrPanel({ session, refreshKey, onTransition }: OkrPanelProps) {
  const { okrs, error } = useOkrs(session.id, refreshKey);
  const phase = okrs?.phase ?? session.phase;
  const objective = okrs?.draft.objective;

  return (
    <section class="okr" aria-label="OKR">
      <h2>OKR</h2>
      <PhaseStepper phase={phase} />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {okrs && (
        <>
          <p class="overall">
            Overall <strong>{okrs.scores.overall}</strong>/100 · {okrs.scores.passes ? "passes the rubric" : "does not pass the rubric yet"}
          </p>
          <h3>Objective</h3>
          {objective ? (
            <div class="okr-item">
              <p class="statement">{objective.statement}</p>
              {objective.timeframe && <p class="muted small">Timeframe: {objective.timeframe}</p>}
              <Score score={okrs.scores.objective} />
            </div>
          ) : (
            <p class="muted">No objective yet.</p>
          )}
          <h3>Key results</h3>
          {okrs.draft.keyResults.length === 0 ? (
            <p class="muted">No key results yet.</p>
          ) : (
            <ol class="key-results">
              {okrs.draft.keyResults.map((kr) => (
                <li key={kr.id} class="okr-item">
                  <p class="statement">{kr.statement}</p>
                  <p class="muted small">
                    {kr.metric}
                    {kr.baseline !== undefined && `: from ${kr.baseline}`}
                    {kr.target !== undefined && ` to ${kr.target}`}
                    {kr.unit && ` ${kr.unit}`}
                    {kr.dueDate && ` by ${kr.dueDate}`}
                  </p>
                  <Score score={okrs.scores.keyResults.find((score) => score.id === kr.id)} />
                </li>
              ))}
            </ol>
          )}
        </>
      )}
      <ForcePhase sessionId={session.id} phase={phase} onTransition={onTransition} />
    </section>
  );
}
