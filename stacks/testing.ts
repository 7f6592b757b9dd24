/**
 * Offline synthesis for the stack tests: the real `sst.config.ts` loaded by
 * SST's own `initProject`, stacks registered on an SST `App`, templates read
 * with `getStack`. No AWS credentials or network are used.
 *
 * With `build: false` functions are not bundled: in deploy mode SST bundles
 * them (esbuild, locally) in `app.finish()`, and until then each keeps an
 * inline placeholder, and the web app is neither built nor uploaded (the Web
 * stack has no S3Uploader yet). `build: true` runs `app.finish()` as `sst
 * build` does: handlers are bundled, the web app is built with Vite into this
 * synthesis' `out` (about a second) and its upload added, real handler paths
 * and the app's default removal policy are applied. It bundles every handler with esbuild (one at a time on
 * a two-core machine) and takes most of a test file's time, so each test file
 * does at most one `build: true` synthesis and reuses its templates across
 * all its assertions; other stages are synthesized with `build: false`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Template } from "aws-cdk-lib/assertions";
import { Stack } from "aws-cdk-lib";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { App, Function as SstFunction, getStack } from "sst/constructs";
import { initProject, useProject } from "sst/project.js";
import config from "../sst.config";
import { stageConfig, type StageConfig } from "../infra/stage-config";
import { Api } from "./Api";
import { Monitoring } from "./Monitoring";
import { Realtime } from "./Realtime";
import { Storage } from "./Storage";
import { Web } from "./Web";
import { WebHosting } from "./WebHosting";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** JWT settings staging and prod require; tests supply them. */
export const testJwtEnv = {
  COACH_JWT_ISSUER: "https://issuer.example.test",
  COACH_JWT_AUDIENCE: "coach-test",
} as const;

export interface Synthesized {
  readonly app: App;
  readonly config: StageConfig;
  readonly storage: Template;
  readonly api: Template;
  readonly realtime: Template;
  readonly monitoring: Template;
  readonly webHosting: Template;
  readonly web: Template;
  readonly all: readonly Template[];
  /** This synthesis' SST output folder (`.sst/` of a real build); the web app's build goes under it. */
  readonly out: string;
}

/**
 * The handler SST will bundle for each function of the app, by stack name and
 * logical id: the construct's `handler` (its metadata), which the bundled
 * function's Handler property equals after `app.finish()`. Lets a synthesis
 * without bundling check which handler each function runs.
 */
export function sstHandlers(app: App): Map<string, string> {
  const handlers = new Map<string, string>();
  for (const construct of app.node.findAll()) {
    if (!(construct instanceof SstFunction)) continue;
    const handler = construct.getConstructMetadata().data.handler;
    if (typeof handler !== "string") continue;
    const stack = Stack.of(construct);
    handlers.set(`${stack.stackName}/${stack.getLogicalId(construct.node.defaultChild as CfnFunction)}`, handler);
  }
  return handlers;
}

export async function synthesize(stage: string, options: { build: boolean }): Promise<Synthesized> {
  // SST bundles functions one at a time on two cores unless told otherwise.
  process.env.SST_BUILD_CONCURRENCY ??= String(Math.max(2, os.cpus().length));
  await initProject({ stage, root: repoRoot, region: "us-east-1" });
  // SST writes generated types and bundles under `.sst/`; test files run in
  // parallel processes, so each synthesis gets its own directory (as SST's
  // own test helper does) instead of racing on the repository's.
  const out = mkdtempSync(path.join(os.tmpdir(), "coach-sst-"));
  Object.assign(useProject().paths, { out, artifacts: path.join(out, "artifacts") });
  process.once("exit", () => rmSync(out, { recursive: true, force: true }));
  const app = new App({ mode: "deploy", stage, name: "coach", region: "us-east-1", account: "123456789012" });
  await config.stacks(app);
  if (options.build) await app.finish();
  const storage = Template.fromStack(getStack(Storage));
  const realtime = Template.fromStack(getStack(Realtime));
  const api = Template.fromStack(getStack(Api));
  const monitoring = Template.fromStack(getStack(Monitoring));
  const webHosting = Template.fromStack(getStack(WebHosting));
  const web = Template.fromStack(getStack(Web));
  return {
    app,
    config: stageConfig(stage),
    storage,
    api,
    realtime,
    monitoring,
    webHosting,
    web,
    all: [storage, realtime, webHosting, api, monitoring, web],
    out,
  };
}

type Json = Record<string, unknown>;

export interface Resource {
  readonly Type: string;
  readonly Properties?: Json;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export function resources(template: Template, type?: string): Map<string, Resource> {
  const all = (template.toJSON() as { Resources?: Record<string, Resource> }).Resources ?? {};
  return new Map(Object.entries(all).filter(([, resource]) => type === undefined || resource.Type === type));
}

/**
 * `value` with every `Fn::ImportValue` replaced by what the exporting stack
 * (one of `templates`) puts in that export, in the exporter's own terms
 * (`{Ref: X}`, `{Fn::GetAtt: [X, Y]}`): a cross-stack reference compared with
 * the resource it names.
 */
export function resolveImports(value: unknown, templates: readonly Template[]): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveImports(item, templates));
  if (typeof value !== "object" || value === null) return value;
  const name = (value as { "Fn::ImportValue"?: unknown })["Fn::ImportValue"];
  if (typeof name === "string") {
    for (const template of templates) {
      const outputs = (template.toJSON() as { Outputs?: Record<string, { Value: unknown; Export?: { Name?: string } }> }).Outputs ?? {};
      const exported = Object.values(outputs).find((output) => output.Export?.Name === name);
      if (exported !== undefined) return exported.Value;
    }
    throw new Error(`No template exports ${name}`);
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveImports(item, templates)]));
}

/** SST adds one custom-resource function (and its role) to every stack. */
export const isSstCustomResourceHandler = (logicalId: string): boolean => logicalId.startsWith("CustomResourceHandler");

export interface PolicyStatementJson {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

export const actionsOf = (statement: PolicyStatementJson): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** Every IAM statement in a template: inline policies, role policies, managed policies. */
export function allStatements(template: Template): PolicyStatementJson[] {
  const statements: PolicyStatementJson[] = [];
  const push = (document: unknown) => {
    const list = (document as { Statement?: PolicyStatementJson[] } | undefined)?.Statement ?? [];
    statements.push(...list);
  };
  for (const resource of resources(template).values()) {
    const props = resource.Properties ?? {};
    if (resource.Type === "AWS::IAM::Policy" || resource.Type === "AWS::IAM::ManagedPolicy") push(props.PolicyDocument);
    if (resource.Type === "AWS::IAM::Role") {
      for (const policy of (props.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) push(policy.PolicyDocument);
    }
  }
  return statements;
}

/** Statements of the inline policies attached to a role (by logical id). */
export function statementsOfRole(template: Template, roleLogicalId: string): PolicyStatementJson[] {
  const statements: PolicyStatementJson[] = [];
  for (const resource of resources(template, "AWS::IAM::Policy").values()) {
    const roles = (resource.Properties?.Roles as { Ref?: string }[] | undefined) ?? [];
    if (roles.some((role) => role.Ref === roleLogicalId)) {
      statements.push(...((resource.Properties?.PolicyDocument as { Statement: PolicyStatementJson[] }).Statement ?? []));
    }
  }
  return statements;
}

/** The logical id X of `{ "Fn::GetAtt": [X, "Arn"] }` found anywhere inside `value`. */
export function getAttTarget(value: unknown): string | undefined {
  const json = JSON.stringify(value);
  return /"Fn::GetAtt":\["([^"]+)","Arn"\]/.exec(json)?.[1];
}

/** `METHOD /full/path` for every API Gateway method except CORS preflight (OPTIONS). */
export function restMethods(template: Template): Map<string, Resource> {
  const apiResources = resources(template, "AWS::ApiGateway::Resource");
  const pathOf = (ref: unknown): string => {
    const logicalId = (ref as { Ref?: string }).Ref;
    if (logicalId === undefined) return "";
    const resource = apiResources.get(logicalId);
    if (resource === undefined) return "";
    return `${pathOf(resource.Properties?.ParentId)}/${String(resource.Properties?.PathPart)}`;
  };
  const methods = new Map<string, Resource>();
  for (const method of resources(template, "AWS::ApiGateway::Method").values()) {
    const httpMethod = String(method.Properties?.HttpMethod);
    if (httpMethod === "OPTIONS") continue;
    const key = `${httpMethod} ${pathOf(method.Properties?.ResourceId) || "/"}`;
    if (methods.has(key)) throw new Error(`Two API methods for ${key}`);
    methods.set(key, method);
  }
  return methods;
}

/** Lambda functions of a template other than SST's custom-resource handler, by logical id. */
export function ownFunctions(template: Template): Map<string, Resource> {
  return new Map([...resources(template, "AWS::Lambda::Function")].filter(([id]) => !isSstCustomResourceHandler(id)));
}

/** The function (logical id and resource) whose Description is exactly `description`. */
export function functionByDescription(template: Template, description: string): [string, Resource] {
  const found = [...ownFunctions(template)].filter(([, fn]) => fn.Properties?.Description === description);
  if (found.length !== 1 || found[0] === undefined) throw new Error(`${found.length} functions described "${description}"`);
  return found[0];
}

export const environmentOf = (fn: Resource): Record<string, unknown> =>
  (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};

/** Statements of the inline policies on a function's execution role. */
export const statementsOfFunction = (template: Template, fn: Resource): PolicyStatementJson[] =>
  statementsOfRole(template, getAttTarget(fn.Properties?.Role) ?? "");
