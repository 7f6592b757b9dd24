/** Thumbs up or down on a reply, then an optional comment (the same feedback again, with it: the server keeps the last). */
import type { Rating } from "@coach/client";
import { useId, useState } from "preact/hooks";
import { useApi } from "../api";
import { errorText } from "../errors";
import { ThumbIcon } from "./thumb-icon";

export function Feedback({ sessionId, messageId }: { sessionId: string; messageId: string }) {
  const { rest } = useApi();
  const [rating, setRating] = useState<Rating>();
  const [commenting, setCommenting] = useState(false);
  const [comment, setComment] = useState("");
  const [thanked, setThanked] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const commentId = useId();

  const post = async (input: { rating: Rating; comment?: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      await rest.feedback(sessionId, messageId, input);
      return true;
    } catch (failure) {
      setError(errorText(failure));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const rate = async (value: Rating) => {
    if (await post({ rating: value })) {
      setRating(value);
      setCommenting(true);
      setThanked(false);
    }
  };

  const sendComment = async (event: Event) => {
    event.preventDefault();
    if (!rating || !comment.trim()) return;
    if (await post({ rating, comment: comment.trim() })) {
      setCommenting(false);
      setComment("");
      setThanked(true);
    }
  };

  return (
    <div class="feedback">
      <div class="thumbs" role="group" aria-label="Rate this reply">
        <button type="button" class="icon" aria-label="Thumbs up" title="Thumbs up" aria-pressed={rating === "up"} disabled={busy} onClick={() => rate("up")}>
          <ThumbIcon />
        </button>
        <button type="button" class="icon" aria-label="Thumbs down" title="Thumbs down" aria-pressed={rating === "down"} disabled={busy} onClick={() => rate("down")}>
          <ThumbIcon down />
        </button>
      </div>
      {commenting && (
        <form class="feedback-comment" onSubmit={sendComment}>
          <label for={commentId}>Comment</label>
          <textarea id={commentId} rows={2} value={comment} onInput={(event) => setComment(event.currentTarget.value)} />
          <div class="row">
            <button type="submit" disabled={busy || !comment.trim()}>
              Send feedback
            </button>
            <button type="button" class="link" onClick={() => setCommenting(false)}>
              No comment
            </button>
          </div>
        </form>
      )}
      {thanked && <p class="muted small">Thanks for the feedback.</p>}
      {error && (
        <p class="error small" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
