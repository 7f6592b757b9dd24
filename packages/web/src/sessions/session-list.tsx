/** The sessions of one tab, newest first; the next page loads when the end of the list scrolls into view. */
import type { Session, SessionListType } from "@coach/client";
import { useEffect, useRef, useState } from "preact/hooks";
import { errorText } from "../errors";
import { sessionTitle, stateLabel } from "./title";
import { useSessionPages } from "./use-session-pages";

interface SessionListProps {
  type: SessionListType;
  refreshKey: number;
  selected: Session | null;
  onSelect: (session: Session) => void;
  /** An unresolved session's "Resume": active again, and open. */
  onResume: (session: Session) => Promise<void>;
}

export function SessionList({ type, refreshKey, selected, onSelect, onResume }: SessionListProps) {
  const { sessions, loading, error, hasMore, loadMore } = useSessionPages(type, refreshKey);
  const end = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const target = end.current;
    if (!target || !hasMore || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) loadMore();
    });
    observer.observe(target);
    return () => observer.disconnect();
  }, [hasMore, loadMore]);

  return (
    <>
      <ul class="session-list" aria-label="Sessions" aria-busy={loading}>
        {sessions.map((listed) => {
          const session = listed.id === selected?.id ? selected : listed;
          return (
          <li key={session.id}>
            <button type="button" class="session-item" data-session-id={session.id} aria-current={session === selected ? "true" : undefined} onClick={() => onSelect(session)}>
              <span class="session-title">{sessionTitle(session)}</span>
              {type === "recent" && <span class="session-state">{stateLabel(session)}</span>}
            </button>
            {type === "unresolved" && <ResumeButton onResume={() => onResume(session)} />}
          </li>
          );
        })}
      </ul>
      {!loading && !error && sessions.length === 0 && <p class="muted">No sessions here yet.</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {hasMore && (
        <div ref={end} class="list-end">
          {/* What the observer does for a scroll, a click does here, for when it cannot (no IntersectionObserver, an error). */}
          <button type="button" class="link" onClick={loadMore} disabled={loading}>
            {loading ? "Loading…" : "Load more"}
          </button>
        </div>
      )}
    </>
  );
}

function ResumeButton({ onResume }: { onResume: () => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return (
    <>
      <button
        type="button"
        class="resume"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          setError(undefined);
          onResume().then(
            () => setBusy(false),
            (failure: unknown) => (setError(errorText(failure)), setBusy(false)),
          );
        }}
      >
        Resume
      </button>
      {error && (
        <p class="error small" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
