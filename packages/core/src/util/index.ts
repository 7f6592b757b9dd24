export * from "./fn";
export * from "./invalid-input";
