/** Signed in: the sessions, the open conversation, and its OKR panel. */
import type { Session } from "@coach/client";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { useApi } from "./api";
import { ConnectionStatus } from "./conversation/connection-status";
import { ConversationView } from "./conversation/conversation-view";
import { OkrPanel } from "./okr/okr-panel";
import { SessionActions } from "./sessions/session-actions";
import { SessionsPanel } from "./sessions/sessions-panel";
import { sessionTitle, stateLabel } from "./sessions/title";
import { sessionIdInUrl, showSessionInUrl } from "./sessions/session-url";

const NAV_ID = "sessions-nav";
/** Below this width the sessions hide behind a toggle (see styles.css). */
const NARROW = "(max-width: 47.99rem)";

export function Workspace({ onReconnect }: { onReconnect: () => void }) {
  const { rest } = useApi();
  const [selected, setSelected] = useState<Session | null>(null);
  const [listKey, setListKey] = useState(0);
  const [okrKey, setOkrKey] = useState(0);
  // Open until a session is: on a narrow screen the list is the first thing to see.
  const [navOpen, setNavOpen] = useState(true);
  const heading = useRef<HTMLHeadingElement>(null);

  const refreshList = () => setListKey((key) => key + 1);
  const refreshOkrs = useCallback(() => setOkrKey((key) => key + 1), []);
  /** Only the open session's newer state counts: a late answer for another one is dropped. */
  const update = useCallback((session: Session) => setSelected((now) => (now?.id === session.id ? session : now)), []);

  // The session the URL names (a reload, a bookmark, Back and Forward); a stale or foreign id opens none.
  useEffect(() => {
    let current = true;
    const follow = () => {
      const id = sessionIdInUrl();
      if (!id) return setSelected(null);
      rest.getSession(id).then(
        (session) => current && setSelected(session),
        () => current && (setSelected(null), showSessionInUrl(null, true)),
      );
    };
    follow();
    window.addEventListener("popstate", follow);
    return () => {
      current = false;
      window.removeEventListener("popstate", follow);
    };
  }, [rest]);

  const resume = async (session: Session) => {
    const { session: resumed } = await rest.resume(session.id);
    changed(resumed);
    open(resumed);
  };

  const open = (session: Session) => {
    setSelected(session);
    showSessionInUrl(session.id);
    // The list item may be a page old; the conversation starts from it, the details catch up.
    rest.getSession(session.id).then(update, () => {});
    if (window.matchMedia(NARROW).matches) {
      setNavOpen(false);
      // The button that had focus is now hidden: go where the reading starts.
      requestAnimationFrame(() => heading.current?.focus());
    }
  };

  const changed = (session: Session) => {
    setSelected(session);
    refreshList();
  };

  return (
    <div class="workspace">
      <button type="button" class="sessions-toggle" aria-expanded={navOpen} aria-controls={NAV_ID} onClick={() => setNavOpen((now) => !now)}>
        Sessions
      </button>
      <SessionsPanel
        id={NAV_ID}
        expanded={navOpen}
        refreshKey={listKey}
        selected={selected}
        onSelect={open}
        onResume={resume}
        onCreated={(session) => {
          changed(session);
          open(session);
        }}
      />
      <main id="main" class="main" tabIndex={-1}>
        <ConnectionStatus onReconnect={onReconnect} />
        {selected ? (
          <>
            <div class="session-head">
              <h2 ref={heading} tabIndex={-1}>
                {sessionTitle(selected)} <span class="badge">{stateLabel(selected)}</span>
              </h2>
              <SessionActions
                session={selected}
                onChanged={changed}
                onDeleted={() => {
                  setSelected(null);
                  showSessionInUrl(null, true);
                  refreshList();
                }}
              />
            </div>
            <ConversationView
              key={`${selected.id}:${selected.status}`}
              session={selected}
              onSession={update}
              onPhase={(sessionId, phase) => {
                setSelected((now) => (now?.id === sessionId ? { ...now, phase } : now));
                refreshOkrs();
              }}
              onReplyComplete={refreshOkrs}
            />
          </>
        ) : (
          <div class="empty">
            <h2>No session open</h2>
            <p class="muted">Pick a session from the list, or start a new one with “New session”.</p>
          </div>
        )}
      </main>
      {selected?.flow === "okr" && (
        <OkrPanel
          session={selected}
          refreshKey={okrKey}
          onTransition={(session) => {
            update(session);
            refreshOkrs();
          }}
        />
      )}
    </div>
  );
}
