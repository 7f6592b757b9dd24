/**
 * State tracking for machine clients (e.g. an editor extension running AI
 * orchestration): orchestration sessions with heartbeats, their tasks, and
 * machines with slots that sessions claim. Every verb needs an API-key actor;
 * the data belongs to the deployment (every valid key sees all of it).
 * Handlers import this as a namespace: `Tracking.createSession(...)`.
 */
export { clock } from "./clock";
export { trackingConfig } from "./config";
export { Info as SessionInfo, SessionId, SessionStatus } from "./session";
export { Info as TaskInfo, TaskId, TaskStatus, Progress } from "./task";
export { Info as MachineInfo, MachineId, MachineStatus, Assignment } from "./machine";
export type { Page } from "./shared";
export {
  createSession,
  getSession,
  updateSession,
  heartbeat,
  removeSession,
  listSessions,
  CreateSessionInput,
  UpdateSessionInput,
  ListSessionsInput,
} from "./sessions";
export { createTask, getTask, updateTask, removeTask, listTasks, CreateTaskInput, UpdateTaskInput, ListTasksInput } from "./tasks";
export {
  createMachine,
  getMachine,
  updateMachine,
  machineHeartbeat,
  removeMachine,
  listMachines,
  claimSlot,
  releaseSlot,
  CreateMachineInput,
  UpdateMachineInput,
  ListMachinesInput,
  ClaimSlotInput,
} from "./machines";
export { health, HealthSummary, HEALTH_LIST_LIMIT } from "./health";
export { sessionTransitions, taskTransitions, machineTransitions, canTransition, assertTransition, isTerminal } from "./transitions";
export type { TransitionTable } from "./transitions";
