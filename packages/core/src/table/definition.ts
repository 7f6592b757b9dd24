/**
 * The one DynamoDB table. The Storage stack and the local runtime both build
 * the table from this definition, so a key or index exists locally if and
 * only if it is deployed.
 *
 * Attribute names stay generic; the entity modules are the only place that
 * knows which access pattern each index serves.
 */
export const tableDefinition = {
  partitionKey: "pk",
  sortKey: "sk",
  timeToLiveAttribute: "ttl",
  globalIndexes: {
    gsi1: { partitionKey: "gsi1pk", sortKey: "gsi1sk" },
    gsi2: { partitionKey: "gsi2pk", sortKey: "gsi2sk" },
  },
} as const;

export type TableDefinition = typeof tableDefinition;
export type GlobalIndexName = keyof TableDefinition["globalIndexes"];

/** Every key attribute is a string; DynamoDB needs their types declared. */
export const keyAttributeNames: readonly string[] = [
  tableDefinition.partitionKey,
  tableDefinition.sortKey,
  ...Object.values(tableDefinition.globalIndexes).flatMap((index) => [index.partitionKey, index.sortKey]),
];
