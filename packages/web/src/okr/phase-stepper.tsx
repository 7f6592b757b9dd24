/** Where the session is in the OKR flow: done, current, to come. */
import { phaseLabel } from "../sessions/title";
import { OKR_PHASES } from "./phases";

export function PhaseStepper({ phase }: { phase: string }) {
  const current = OKR_PHASES.indexOf(phase as (typeof OKR_PHASES)[number]);
  return (
    <ol class="stepper" aria-label="Progress">
      {OKR_PHASES.map((name, index) => (
        <li key={name} class={index < current ? "done" : index === current ? "current" : "todo"} aria-current={index === current ? "step" : undefined}>
          {phaseLabel(name)}
          {index < current && <span class="visually-hidden"> (done)</span>}
        </li>
      ))}
    </ol>
  );
}
