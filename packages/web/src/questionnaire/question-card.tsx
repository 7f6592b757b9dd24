/**
 * The question a questionnaire asks now, above the message box: progress,
 * the question and its help, why the last answer was refused, and for a
 * choice its options as buttons (each sends the option as the answer); an
 * optional question can be skipped. Free-text answers go in the message box,
 * which the question describes.
 */
import type { QuestionKind, RealtimeEventOf } from "@coach/client";
import type { Asking } from "./use-questionnaire";

const KIND_HINTS: Record<QuestionKind, string> = {
  text: "",
  number: "Answer with a number.",
  date: "Answer with a date, e.g. 2026-05-03 or 3 May 2026.",
  email: "Answer with an email address.",
  choice: "Choose an option, or type it.",
};

/** What helps to answer: the template's help, what the kind takes, whether it can be skipped. */
export function questionHint(question: RealtimeEventOf<"next_question">["question"]): string {
  return [question.help, KIND_HINTS[question.kind], question.required ? "" : "Optional: you can skip it."].filter(Boolean).join(" ");
}

interface QuestionCardProps {
  asking: Asking;
  /** Ids for the message box's aria-describedby: the question, and its hints. */
  ids: { text: string; hint: string };
  /** A reply is on its way: answers wait until it is written. */
  busy: boolean;
  answer: (content: string) => void;
}

export function QuestionCard({ asking, ids, busy, answer }: QuestionCardProps) {
  const { question, progress, error } = asking;
  const hint = questionHint(question);
  const shown = `${progress.answered} of ${progress.total}`;

  return (
    <section class="question" aria-label="Current question">
      <div class="progress-row">
        <label for={`${ids.text}-progress`}>Progress</label>
        <progress id={`${ids.text}-progress`} max={progress.total} value={progress.answered} aria-valuetext={`${shown} answered`} />
        <span class="small">{shown}</span>
      </div>
      <p class="question-text" id={ids.text}>
        {question.text}
      </p>
      {hint && (
        <p class="muted small" id={ids.hint}>
          {hint}
        </p>
      )}
      {error && (
        // Keyed by the question asked: the same refusal twice is said twice.
        <p key={asking.turn} class="error" role="alert">
          {error}
        </p>
      )}
      {(question.options || !question.required) && (
        <div class="answer-buttons" role="group" aria-label="Quick answers">
          {question.options?.map((option) => (
            <button key={option} type="button" disabled={busy} onClick={() => answer(option)}>
              {option}
            </button>
          ))}
          {!question.required && (
            <button type="button" class="skip" disabled={busy} onClick={() => answer("skip")}>
              Skip
            </button>
          )}
        </div>
      )}
    </section>
  );
}
