/**
 * The open session is in the URL (`/sessions/<id>`): a reload, a bookmark or
 * the Back button opens the same one. Any other path of the app means none.
 * The local server and the deployed site both serve index.html for it.
 */
const SESSION_PATH = /^\/sessions\/([^/]+)\/?$/;

export function sessionIdInUrl(): string | undefined {
  const id = SESSION_PATH.exec(window.location.pathname)?.[1];
  return id === undefined ? undefined : decodeURIComponent(id);
}

/** Records the open session (or none) as a new history entry, unless the URL already says so. */
export function showSessionInUrl(sessionId: string | null, replace = false): void {
  const path = sessionId ? `/sessions/${encodeURIComponent(sessionId)}` : "/";
  if (window.location.pathname === path) return;
  if (replace) window.history.replaceState(null, "", path);
  else window.history.pushState(null, "", path);
}
