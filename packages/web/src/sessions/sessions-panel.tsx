/** The navigation: the user's sessions by list, and a way to start one. */
import type { Session, SessionListType } from "@coach/client";
import { useState } from "preact/hooks";
import { Tabs } from "../ui/tabs";
import { NewSession } from "./new-session";
import { SessionList } from "./session-list";

const TABS = [
  { value: "active", label: "Active" },
  { value: "unresolved", label: "Unresolved" },
  { value: "recent", label: "Recent" },
] as const satisfies readonly { value: SessionListType; label: string }[];

interface SessionsPanelProps {
  id: string;
  /** Collapsed behind the "Sessions" toggle on narrow screens. */
  expanded: boolean;
  refreshKey: number;
  /** The open session: its newer state (a phase moved) shows in the list too. */
  selected: Session | null;
  onSelect: (session: Session) => void;
  onCreated: (session: Session) => void;
  onResume: (session: Session) => Promise<void>;
}

export function SessionsPanel({ id, expanded, refreshKey, selected, onSelect, onCreated, onResume }: SessionsPanelProps) {
  const [type, setType] = useState<SessionListType>("active");
  return (
    <nav id={id} class={expanded ? "sessions expanded" : "sessions"} aria-label="Sessions">
      <div class="sessions-head">
        <h2>Sessions</h2>
        <NewSession onCreated={onCreated} />
      </div>
      <Tabs label="Session lists" tabs={TABS} selected={type} onSelect={setType}>
        <SessionList type={type} refreshKey={refreshKey} selected={selected} onSelect={onSelect} onResume={onResume} />
      </Tabs>
    </nav>
  );
}
