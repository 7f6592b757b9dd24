/**
 * Table configuration, read once when the module loads: a missing variable is
 * an error at start-up, not an `undefined` three calls deep.
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

export const tableConfig = {
  tableName: required("TABLE_NAME"),
  /** Set only off AWS (DynamoDB Local); on Lambda the SDK finds the regional endpoint. */
  endpoint: process.env.DYNAMODB_ENDPOINT || undefined,
  region: process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || "us-east-1",
};
