/** One list of sessions (active, unresolved, recent), a page at a time by cursor. */
import type { Session, SessionListType } from "@coach/client";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { useApi } from "../api";
import { errorText } from "../errors";

const PAGE_SIZE = 20;

export interface SessionPages {
  sessions: Session[];
  loading: boolean;
  error: string | undefined;
  hasMore: boolean;
  loadMore: () => void;
}

export function useSessionPages(type: SessionListType, refreshKey: number): SessionPages {
  const { rest } = useApi();
  const [sessions, setSessions] = useState<Session[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(true);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  // A page that arrives after the tab changed (or the list was refreshed) belongs to an old list: drop it.
  const generation = useRef(0);
  const inFlight = useRef(false);

  const load = useCallback(
    async (from: string | null, replace: boolean) => {
      const mine = generation.current;
      inFlight.current = true;
      setLoading(true);
      setError(undefined);
      try {
        const page = await rest.listSessions({ type, limit: PAGE_SIZE, ...(from ? { cursor: from } : {}) });
        if (mine !== generation.current) return;
        setSessions((before) => (replace ? page.sessions : [...before, ...page.sessions.filter((s) => !before.some((b) => b.id === s.id))]));
        setCursor(page.nextCursor);
        setHasMore(page.nextCursor !== null);
      } catch (failure) {
        if (mine === generation.current) setError(errorText(failure));
      } finally {
        if (mine === generation.current) {
          inFlight.current = false;
          setLoading(false);
        }
      }
    },
    [rest, type],
  );

  useEffect(() => {
    generation.current++;
    inFlight.current = false;
    setCursor(null);
    setHasMore(true);
    void load(null, true);
  }, [load, refreshKey]);

  const loadMore = useCallback(() => {
    if (inFlight.current || !cursor) return;
    void load(cursor, false);
  }, [cursor, load]);

  return { sessions, loading, error, hasMore, loadMore };
}
