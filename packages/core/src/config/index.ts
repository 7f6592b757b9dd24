import { ConfigError, type ConfigIssue } from "./error";
import * as sections from "./sections";
import { SECRET_VARIABLES } from "./sections";
import type { Env, Section, SectionOutput, VariableIssue } from "./variable";

/**
 * The product's configuration: one typed reader of the environment, shared
 * by core, functions and local. `loadConfig(env)` reads a given environment
 * and throws one ConfigError listing every problem; `config()` is the
 * process's, validated as a whole on first use.
 */
export { ConfigError, type ConfigIssue } from "./error";
export { CLAUDE_DEFAULTS, DEFAULT_CLAUDE_MODEL, LOG_LEVELS, SECRET_VARIABLES, type ServedModel } from "./sections";
export * as variable from "./variable";
export { boundAnthropicApiKey } from "./secret-store";

export type { Env } from "./variable";

/** Each section's factory; a section is built when it is first parsed. */
const SCHEMAS = {
  table: sections.table,
  turn: sections.turn,
  rateLimit: sections.rateLimit,
  offlineCoach: sections.offlineCoach,
  tracking: sections.tracking,
  questionnaire: sections.questionnaire,
  claude: sections.claude,
  aiService: sections.aiService,
  completions: sections.completions,
  http: sections.http,
  realtime: sections.realtime,
  observability: sections.observability,
  secretStore: sections.secretStore,
};

export type SectionName = keyof typeof SCHEMAS;
type Settings = { [K in SectionName]: SectionOutput<ReturnType<(typeof SCHEMAS)[K]>> };
export type Config = { readonly [K in SectionName]: Settings[K] };
const FACTORIES: { [K in SectionName]: () => Section<Settings[K]> } = SCHEMAS;
const built = new Map<SectionName, Section<unknown>>();
const schemaOf = <K extends SectionName>(name: K): Section<Settings[K]> => {
  if (!built.has(name)) built.set(name, FACTORIES[name]());
  return built.get(name) as Section<Settings[K]>;
};
export type ClaudeSettings = NonNullable<Config["claude"]>;

function issuesOf(issues: readonly VariableIssue[], env: Env): ConfigIssue[] {
  return issues.map((issue) => (SECRET_VARIABLES.has(issue.variable) ? issue : { ...issue, given: env[issue.variable] ?? "" }));
}

/** Any section of the environment (the local runtime has its own), with issues in the config's terms. */
export function parseEnv<T>(section: Section<T>, env: Env): { value: T } | { issues: ConfigIssue[] } {
  const result = section.parse(env);
  if (!result.ok) return { issues: issuesOf(result.issues, env) };
  return { value: deepFreeze(result.value) };
}

const parse = <K extends SectionName>(name: K, env: Env) => parseEnv(schemaOf(name), env);

/** One section of a given environment; throws a ConfigError listing every problem of that section. */
export function loadSection<K extends SectionName>(name: K, env: Env = process.env): Config[K] {
  const result = parse(name, env);
  if ("issues" in result) throw new ConfigError(result.issues);
  return result.value;
}

/** Every section of a given environment; throws one ConfigError listing every problem of all of them. */
export function loadConfig(env: Env = process.env): Config {
  const snapshot = { ...env };
  const issues = new Map<string, ConfigIssue>();
  for (const name of SECTION_NAMES) {
    const result = parse(name, snapshot);
    if ("issues" in result) for (const issue of result.issues) issues.set(issue.variable, issue);
  }
  if (issues.size > 0) throw new ConfigError([...issues.values()]);
  return sectionsOf(snapshot);
}

let processConfig: Config | undefined;

/**
 * The process's configuration. Each section is read from the environment
 * when first used (a handler's module scope reads its sections, so a bad
 * variable fails the cold start) and then kept, frozen. When a section is
 * wrong, the error lists every problem of the whole environment, not just
 * that section's: one look shows all there is to fix. Reading a section late
 * matters off AWS only: the local runtime sets the handlers' variables
 * (JWT_*, the realtime endpoints) after the first core module loaded, as SST
 * sets them before a Lambda starts. Functions do not pay for parsing
 * sections they never read: a cold start is measured in milliseconds.
 */
export function config(): Config {
  return (processConfig ??= sectionsOf(process.env, (name) => {
    const section = parse(name, process.env);
    if (!("issues" in section)) return section.value;
    loadConfig(process.env); // throws, naming every bad variable
    throw new ConfigError(section.issues);
  }));
}

/** Settings optional in the schema because only some functions have them, by the variable that sets them. */
const REQUIRED_AT_USE = {
  JWT_ISSUER: () => config().http.jwt.issuer,
  JWT_AUDIENCE: () => config().http.jwt.audience,
  JWT_JWKS_URI: () => config().http.jwt.jwksUri,
  WEBSOCKET_MANAGEMENT_ENDPOINT: () => config().realtime.managementEndpoint,
  TURN_WORKER_FUNCTION: () => config().realtime.turnWorkerFunction,
  QUESTIONNAIRE_WORKER_FUNCTION: () => config().realtime.questionnaireWorkerFunction,
} satisfies Record<string, () => string | undefined>;

/** A setting this function cannot work without, e.g. `required("TURN_WORKER_FUNCTION")`; a ConfigError names the variable when it is unset. */
export function required(variable: keyof typeof REQUIRED_AT_USE): string {
  const value = REQUIRED_AT_USE[variable]();
  if (value === undefined) throw new ConfigError([{ variable, expected: "set on this function", missing: true }]);
  return value;
}

const SECTION_NAMES = Object.keys(SCHEMAS).filter((name): name is SectionName => name in SCHEMAS);

/** A frozen view whose sections are each read on first use (from `env`, or by `read`), then kept. */
function sectionsOf(env: Env, read: <K extends SectionName>(name: K) => Config[K] = (name) => loadSection(name, env)): Config {
  const cache = new Map<SectionName, unknown>();
  const view = {};
  for (const name of SECTION_NAMES) {
    Object.defineProperty(view, name, {
      enumerable: true,
      get: () => {
        if (!cache.has(name)) cache.set(name, read(name));
        return cache.get(name);
      },
    });
  }
  // One getter per section, made from the section list: the type says what each returns.
  return Object.freeze(view) as Config;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
