/**
 * The state-tracking REST API (`/api/tracking…`) for machine clients, with
 * an API key. Types come from the core tracking schemas (type-only import).
 */
import type * as Tracking from "@coach/core/tracking";
import { HttpClient, seg, type HttpOptions, type Query } from "./http";

export type TrackingSession = Tracking.RunInfo;
export type TrackingSessionStatus = Tracking.RunStatus;
export type TrackingTask = Tracking.TaskInfo;
export type TrackingTaskStatus = Tracking.TaskStatus;
export type TrackingMachine = Tracking.MachineInfo;
export type TrackingMachineStatus = Tracking.MachineStatus;
/** `GET /api/tracking/health`: counts by status, stale sessions, stuck tasks. */
export type TrackingHealth = Tracking.HealthSummary;

export type CreateTrackingSessionInput = Parameters<typeof Tracking.createRun>[0];
export type UpdateTrackingSessionInput = Omit<Parameters<typeof Tracking.updateRun>[0], "id">;
export type ListTrackingSessionsInput = Partial<Parameters<typeof Tracking.listRuns>[0]>;
export type CreateTrackingTaskInput = Parameters<typeof Tracking.createTask>[0];
export type UpdateTrackingTaskInput = Omit<Parameters<typeof Tracking.updateTask>[0], "id">;
export type ListTrackingTasksInput = Partial<Parameters<typeof Tracking.listTasks>[0]>;
export type CreateTrackingMachineInput = Parameters<typeof Tracking.createMachine>[0];
export type UpdateTrackingMachineInput = Omit<Parameters<typeof Tracking.updateMachine>[0], "id">;
export type ListTrackingMachinesInput = Partial<Parameters<typeof Tracking.listMachines>[0]>;

export interface TrackingSessionPage {
  sessions: TrackingSession[];
  nextCursor: string | null;
}
export interface TrackingTaskPage {
  tasks: TrackingTask[];
  nextCursor: string | null;
}
export interface TrackingMachinePage {
  machines: TrackingMachine[];
  nextCursor: string | null;
}

export interface ClaimResult {
  machine: TrackingMachine;
  /** False when the session already held a slot on this machine (200 rather than 201). */
  claimed: boolean;
}

export type TrackingClientOptions = HttpOptions & {
  /** An API key (`pnpm apikey`; locally `stack.devApiKey`), sent as `Authorization: Bearer`. */
  apiKey: string;
};

/**
 * ```ts
 * const tracking = new TrackingClient({ baseUrl: "http://127.0.0.1:3000", apiKey });
 * const session = await tracking.createSession({ projectId: "web" });
 * await tracking.heartbeat(session.id);
 * ```
 * Errors are `ApiError`s (409 for a status change the rules forbid or a full machine, 404 for an unknown id).
 */
export class TrackingClient {
  private readonly http: HttpClient;

  constructor(options: TrackingClientOptions) {
    if (!options.apiKey) throw new Error("TrackingClient needs { apiKey }");
    this.http = new HttpClient(options, async () => ({ authorization: `Bearer ${options.apiKey}` }));
  }

  // sessions

  /** Registers an orchestration session (active by default; its heartbeat starts now). */
  async createSession(input: CreateTrackingSessionInput): Promise<TrackingSession> {
    return this.body("POST", "/api/tracking/sessions", { body: input });
  }

  /** Sessions, all or of one status. `status: "stale"` also finds live sessions silent past the stale window. */
  async listSessions(query: ListTrackingSessionsInput = {}): Promise<TrackingSessionPage> {
    return this.body("GET", "/api/tracking/sessions", { query: query as Query });
  }

  /** The sessions that stopped heartbeating (stored as stale, or live and silent past the window). */
  async staleSessions(query: Omit<ListTrackingSessionsInput, "status"> = {}): Promise<TrackingSessionPage> {
    return this.listSessions({ ...query, status: "stale" });
  }

  /** Every session (of a status), page after page. */
  sessions(query: Omit<ListTrackingSessionsInput, "cursor"> = {}): AsyncGenerator<TrackingSession, void, undefined> {
    return this.pages((cursor) => this.listSessions({ ...query, cursor }).then((page) => ({ items: page.sessions, nextCursor: page.nextCursor })));
  }

  async getSession(id: string): Promise<TrackingSession> {
    return this.body("GET", `/api/tracking/sessions/${seg(id)}`);
  }

  /** Changes status, project, machine (`null` clears it) or metadata (replaced); 409 for a transition the rules forbid. */
  async updateSession(id: string, patch: UpdateTrackingSessionInput): Promise<TrackingSession> {
    return this.body("PATCH", `/api/tracking/sessions/${seg(id)}`, { body: patch });
  }

  /** The session and its tasks. */
  async deleteSession(id: string): Promise<void> {
    await this.http.request("DELETE", `/api/tracking/sessions/${seg(id)}`);
  }

  /** Records a heartbeat (a stale session becomes active again; 409 once it is completed or failed). */
  async heartbeat(id: string): Promise<TrackingSession> {
    return this.body("POST", `/api/tracking/sessions/${seg(id)}/heartbeat`);
  }

  // tasks

  /** Adds a task to a session (pending by default). */
  async createTask(input: CreateTrackingTaskInput): Promise<TrackingTask> {
    return this.body("POST", "/api/tracking/tasks", { body: input });
  }

  /** Tasks, filtered by session and/or status. */
  async listTasks(query: ListTrackingTasksInput = {}): Promise<TrackingTaskPage> {
    return this.body("GET", "/api/tracking/tasks", { query: query as Query });
  }

  tasks(query: Omit<ListTrackingTasksInput, "cursor"> = {}): AsyncGenerator<TrackingTask, void, undefined> {
    return this.pages((cursor) => this.listTasks({ ...query, cursor }).then((page) => ({ items: page.tasks, nextCursor: page.nextCursor })));
  }

  async getTask(id: string): Promise<TrackingTask> {
    return this.body("GET", `/api/tracking/tasks/${seg(id)}`);
  }

  /** Changes status, progress, error, title or metadata; 409 for a transition the rules forbid. */
  async updateTask(id: string, patch: UpdateTrackingTaskInput): Promise<TrackingTask> {
    return this.body("PATCH", `/api/tracking/tasks/${seg(id)}`, { body: patch });
  }

  async deleteTask(id: string): Promise<void> {
    await this.http.request("DELETE", `/api/tracking/tasks/${seg(id)}`);
  }

  // machines

  /** Registers a machine with its slot capacity (online by default). */
  async createMachine(input: CreateTrackingMachineInput): Promise<TrackingMachine> {
    return this.body("POST", "/api/tracking/machines", { body: input });
  }

  async listMachines(query: ListTrackingMachinesInput = {}): Promise<TrackingMachinePage> {
    return this.body("GET", "/api/tracking/machines", { query: query as Query });
  }

  machines(query: Omit<ListTrackingMachinesInput, "cursor"> = {}): AsyncGenerator<TrackingMachine, void, undefined> {
    return this.pages((cursor) => this.listMachines({ ...query, cursor }).then((page) => ({ items: page.machines, nextCursor: page.nextCursor })));
  }

  async getMachine(id: string): Promise<TrackingMachine> {
    return this.body("GET", `/api/tracking/machines/${seg(id)}`);
  }

  async updateMachine(id: string, patch: UpdateTrackingMachineInput): Promise<TrackingMachine> {
    return this.body("PATCH", `/api/tracking/machines/${seg(id)}`, { body: patch });
  }

  async deleteMachine(id: string): Promise<void> {
    await this.http.request("DELETE", `/api/tracking/machines/${seg(id)}`);
  }

  /** Records a machine heartbeat (an offline machine comes back online). */
  async machineHeartbeat(id: string): Promise<TrackingMachine> {
    return this.body("POST", `/api/tracking/machines/${seg(id)}/heartbeat`);
  }

  /** Claims a slot on the machine for the session; an ApiError 409 when the machine is full or not online. */
  async claimSlot(machineId: string, sessionId: string): Promise<ClaimResult> {
    const response = await this.http.request<TrackingMachine>("POST", `/api/tracking/machines/${seg(machineId)}/slots`, { body: { sessionId } });
    return { machine: response.body, claimed: response.status === 201 };
  }

  /** Releases the session's slot on the machine (404 when it holds none there). */
  async releaseSlot(machineId: string, sessionId: string): Promise<TrackingMachine> {
    return this.body("DELETE", `/api/tracking/machines/${seg(machineId)}/slots/${seg(sessionId)}`);
  }

  // health

  /** Counts by status, the stale sessions and the stuck tasks. */
  async health(): Promise<TrackingHealth> {
    return this.body("GET", "/api/tracking/health");
  }

  private async body<T>(method: string, path: string, options: { body?: unknown; query?: Query } = {}): Promise<T> {
    return (await this.http.request<T>(method, path, options)).body;
  }

  private async *pages<T>(load: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>): AsyncGenerator<T, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await load(cursor);
      yield* page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
}
