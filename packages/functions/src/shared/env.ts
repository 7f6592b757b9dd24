/** Reads a required variable once, at cold start: a missing one fails the cold start, not a request. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}
