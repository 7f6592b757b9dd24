export * from "./definition";
export * from "./client";
export * from "./call-counter";
export * from "./batch-delete";
export * from "./check";
