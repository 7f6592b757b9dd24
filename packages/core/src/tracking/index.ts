/**
 * State tracking for machine clients (e.g. an editor extension running AI
 * orchestration): runs (orchestration sessions, which the REST API calls
 * sessions) with heartbeats, their tasks, and machines with slots that runs
 * claim. Every verb needs an API-key actor; the data belongs to the
 * deployment (every valid key sees all of it).
 * Handlers import this as a namespace: `Tracking.createRun(...)`.
 */
export { trackingConfig } from "./config";
export * as Run from "./run";
export { Info as RunInfo, RunId, RunStatus } from "./run";
export { Info as TaskInfo, TaskId, TaskStatus, Progress } from "./task";
export { Info as MachineInfo, MachineId, MachineStatus, Assignment } from "./machine";
export type { Page } from "./shared";
export { createRun, getRun, updateRun, runHeartbeat, removeRun, listRuns, CreateRunInput, UpdateRunInput, ListRunsInput } from "./runs";
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
export { runTransitions, taskTransitions, machineTransitions, canTransition, assertTransition, isTerminal } from "./transitions";
export type { TransitionTable } from "./transitions";
