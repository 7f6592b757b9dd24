/** One variable that is missing or malformed. `given` is absent for a secret: its value is never shown. */
export interface ConfigIssue {
  variable: string;
  expected: string;
  missing: boolean;
  given?: string;
}

const describe = (issue: ConfigIssue) =>
  issue.missing
    ? `${issue.variable} is required (${issue.expected})`
    : `${issue.variable} must be ${issue.expected}, got ${issue.given === undefined ? "a value that is not shown (secret)" : JSON.stringify(issue.given)}`;

/** Every problem of the environment at once, so one start-up shows all there is to fix. */
export class ConfigError extends Error {
  override readonly name: string = "ConfigError";

  constructor(
    readonly issues: readonly ConfigIssue[],
    options?: { cause?: unknown },
  ) {
    super(
      issues.length === 1 && issues[0]
        ? `Invalid configuration: ${describe(issues[0])}`
        : `Invalid configuration (${issues.length} problems):\n${issues.map((issue) => `  - ${describe(issue)}`).join("\n")}`,
      options,
    );
  }
}
