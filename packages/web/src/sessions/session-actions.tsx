/** What can be done with the open session: resume, end, resolve, delete, export. */
import type { Session } from "@coach/client";
import { useState } from "preact/hooks";
import { useApi } from "../api";
import { errorText } from "../errors";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { downloadExport, type DownloadFormat } from "./download";

interface SessionActionsProps {
  session: Session;
  onChanged: (session: Session) => void;
  onDeleted: (sessionId: string) => void;
}

export function SessionActions({ session, onChanged, onDeleted }: SessionActionsProps) {
  const { rest } = useApi();
  const [dialog, setDialog] = useState<"resolve" | "delete" | null>(null);
  const [notes, setNotes] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };

  const unresolved = session.status === "ended" && !session.isResolved;
  const exportAs = (format: DownloadFormat) => run(() => downloadExport(rest, session.id, format));

  return (
    <div class="session-actions">
      <div class="toolbar" role="group" aria-label="Session actions">
        {unresolved && (
          <button type="button" class="primary" disabled={busy} onClick={() => run(async () => onChanged((await rest.resume(session.id)).session))}>
            Resume
          </button>
        )}
        {session.status === "active" && (
          <button type="button" disabled={busy} onClick={() => run(async () => onChanged(await rest.end(session.id)))}>
            End
          </button>
        )}
        {!session.isResolved && (
          <button
            type="button"
            disabled={busy}
            onClick={() => {
              setNotes("");
              setDialog("resolve");
            }}
          >
            Resolve
          </button>
        )}
        <button type="button" disabled={busy} onClick={() => exportAs("markdown")}>
          Export Markdown
        </button>
        <button type="button" disabled={busy} onClick={() => exportAs("json")}>
          Export JSON
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => setDialog("delete")}>
          Delete
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <ConfirmDialog
        open={dialog === "resolve"}
        title="Resolve session"
        confirmLabel="Resolve"
        onClose={() => setDialog(null)}
        onConfirm={async () => onChanged(await rest.resolve(session.id, notes.trim() || undefined))}
      >
        <p>A resolved session is done: it cannot be resumed.</p>
        <label class="field">
          <span>Notes (optional)</span>
          <textarea rows={3} value={notes} onInput={(event) => setNotes(event.currentTarget.value)} />
        </label>
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === "delete"}
        title="Delete session"
        confirmLabel="Delete"
        danger
        onClose={() => setDialog(null)}
        onConfirm={async () => {
          await rest.deleteSession(session.id);
          onDeleted(session.id);
        }}
      >
        <p>The session and everything in it will be deleted. This cannot be undone.</p>
      </ConfirmDialog>
    </div>
  );
}
