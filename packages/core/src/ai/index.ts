export * from "./provider";
export { offlineCoach, type OfflineCoachOptions } from "./offline-coach";
export { selectProvider } from "./select";
