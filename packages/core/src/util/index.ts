export * from "./date";
export * from "./fn";
export * from "./invalid-input";
export * from "./json";
