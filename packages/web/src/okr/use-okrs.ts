/** The session's OKR set, read again whenever `refreshKey` moves (a phase change, a stored reply). */
import type { OkrSet } from "@coach/client";
import { useEffect, useState } from "preact/hooks";
import { useApi } from "../api";
import { errorText } from "../errors";

export function useOkrs(sessionId: string, refreshKey: number): { okrs: OkrSet | undefined; error: string | undefined } {
  const { rest } = useApi();
  const [okrs, setOkrs] = useState<OkrSet>();
  const [error, setError] = useState<string>();

  useEffect(() => setOkrs(undefined), [sessionId]);

  useEffect(() => {
    let current = true;
    rest.okrs(sessionId).then(
      (set) => {
        if (!current) return;
        setOkrs(set);
        setError(undefined);
      },
      (failure: unknown) => current && setError(errorText(failure)),
    );
    return () => {
      current = false;
    };
  }, [rest, sessionId, refreshKey]);

  return { okrs, error };
}
