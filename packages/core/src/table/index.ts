export * from "./definition";
export * from "./client";
export * from "./batch-delete";
export * from "./check";
export * from "./paginate";
export * from "./transact";
