/** The WebSocket's state, said out loud when it drops and when it is back. */
import { useEffect, useState } from "preact/hooks";
import { useApi } from "../api";

type Shown = "idle" | "connected" | "reconnecting" | "closed";

export function ConnectionStatus({ onReconnect }: { onReconnect: () => void }) {
  const { realtime } = useApi();
  const [state, setState] = useState<Shown>(realtime.state === "open" ? "connected" : "idle");

  useEffect(() => {
    const offs = [
      realtime.on("connected", () => setState("connected")),
      realtime.on("disconnected", (event) => setState(event.willReconnect ? "reconnecting" : "closed")),
      realtime.on("reconnecting", () => setState("reconnecting")),
      // Our own close() (signing out, a new client) is not news; giving up or a refused first connect is.
      realtime.on("closed", (event) => setState((now) => (event.reason === "closed by the client" ? now : "closed"))),
    ];
    return () => offs.forEach((off) => off());
  }, [realtime]);

  return (
    <div class={`connection ${state}`} role="status">
      {state === "connected" && "Connected"}
      {state === "reconnecting" && "Connection lost — reconnecting…"}
      {state === "closed" && (
        <>
          Disconnected from the coach.{" "}
          <button type="button" class="link" onClick={onReconnect}>
            Reconnect
          </button>
        </>
      )}
    </div>
  );
}
