/**
 * A questionnaire session as the screen shows it: the question it asks now
 * (with its progress, and why the last answer was refused), then the
 * document it wrote. Both come over the WebSocket: `next_question` on every
 * join and after every answer, `session_complete` once. A session opened
 * after it completed is asked nothing more on join, so its document is found
 * through the API.
 */
import type { RealtimeEventOf, Session } from "@coach/client";
import { useEffect, useState } from "preact/hooks";
import { useApi } from "../api";
import { errorText } from "../errors";

export type Asking = Omit<RealtimeEventOf<"next_question">, "type" | "sessionId"> & {
  /** Counts the questions asked in this view: a refusal said twice is announced twice. */
  turn: number;
};

export interface Questionnaire {
  asking: Asking | undefined;
  documentId: string | undefined;
  /** The document could not be looked up. */
  error: string | undefined;
}

export function useQuestionnaire(session: Session): Questionnaire {
  const { realtime, documents } = useApi();
  const sessionId = session.id;
  const enabled = session.flow === "questionnaire";
  const live = enabled && session.status === "active";
  const complete = enabled && session.phase === "complete";
  const [asking, setAsking] = useState<Asking>();
  const [documentId, setDocumentId] = useState<string>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    setAsking(undefined);
    setDocumentId(undefined);
    setError(undefined);
    if (!live) return;
    let turn = 0;
    // Subscribed before the conversation's join goes out: the join's next_question is not missed.
    const offs = [
      realtime.on("next_question", ({ type: _type, sessionId: of, ...asked }) => of === sessionId && setAsking({ ...asked, turn: ++turn })),
      realtime.on("session_complete", (event) => {
        if (event.sessionId !== sessionId) return;
        setAsking(undefined);
        setDocumentId(event.documentId);
      }),
    ];
    return () => {
      for (const off of offs) off();
    };
  }, [realtime, sessionId, live]);

  useEffect(() => {
    if (!complete || documentId) return;
    let current = true;
    documents.documentOfSession(sessionId).then(
      // Not there (yet): session_complete, on its way, names it.
      (found) => current && found && setDocumentId(found.id),
      (failure: unknown) => current && setError(errorText(failure)),
    );
    return () => {
      current = false;
    };
  }, [documents, sessionId, complete, documentId]);

  return { asking, documentId, error };
}
