/** A rubric score and the reasons it lost points, with what would fix each. */
import type { OkrSet } from "@coach/client";

type ItemScore = OkrSet["scores"]["objective"];

export function Score({ score }: { score: ItemScore | undefined }) {
  if (!score) return null;
  return (
    <div class="score">
      <p class="score-value">
        Score <strong>{score.score}</strong>/100
      </p>
      {score.reasons.length > 0 && (
        <ul class="reasons">
          {score.reasons.map((reason) => (
            <li key={reason.code}>
              {reason.message} <span class="muted">{reason.suggestion}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
