import * as z from "@coach/core/zod";
import * as Conversation from "@coach/core/conversation";

import * as Okr from "@coach/core/okr";
import type { Problem as ProblemShape } from "../shared/problem";

/**
 * Response shapes for the OpenAPI document, where the core has a TypeScript
 * type but no zod schema. The type checks at the bottom keep them honest: the
 * value a handler returns must satisfy the schema that documents it.
 */

// Pure: a route imports this module for the one shape it documents; esbuild
// drops the others instead of building them at cold start.

/** RFC 7807 problem details, as `problemFor` builds them; extension members (e.g. `retryAfter`, `issues`) may follow. */
export const Problem = /* @__PURE__ */ z.catchall(
  /* @__PURE__ */ z.object({
    type: /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.describe("`urn:coach:problem:<code>`")),
    title: /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.describe("The HTTP status in words")),
    status: /* @__PURE__ */ z.number().check(/* @__PURE__ */ z.int()),
    detail: /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.describe("What went wrong, for a human")),
    code: /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.describe("Stable machine-readable code, e.g. `session.not_found`")),
    instance: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()).check(/* @__PURE__ */ z.describe("The request path")),
    traceId: /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.describe("Finds the request in the logs; also in the `x-trace-id` header")),
  }),
  /* @__PURE__ */ z.unknown(),
);

/** The error shape of the OpenAI-compatible routes (`errors: "openai"` in their spec), as OpenAI clients expect it. */
export const OpenAiError = /* @__PURE__ */ z.object({
  error: /* @__PURE__ */ z.object({
    message: /* @__PURE__ */ z.string(),
    type: /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.describe("`invalid_request_error`, `rate_limit_error` or `server_error`")),
    param: /* @__PURE__ */ z.nullable(/* @__PURE__ */ z.string()).check(/* @__PURE__ */ z.describe("The offending field, when there is one")),
    code: /* @__PURE__ */ z.nullable(/* @__PURE__ */ z.string()),
  }),
});

const reasonCodes = /* @__PURE__ */ Okr.criteria.map((criterion) => criterion.code) as [Okr.ReasonCode, ...Okr.ReasonCode[]];

export const Reason = /* @__PURE__ */ z.object({
  code: /* @__PURE__ */ z.enum(reasonCodes),
  message: /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.describe("What is wrong with this item, in words")),
  points: /* @__PURE__ */ z.number().check(/* @__PURE__ */ z.describe("What it cost")),
  suggestion: /* @__PURE__ */ z.string(),
});

export const ItemScore = /* @__PURE__ */ z.object({ score: /* @__PURE__ */ z.number(), reasons: /* @__PURE__ */ z.array(Reason) });

export const DraftScore = /* @__PURE__ */ z.object({
  overall: /* @__PURE__ */ z.number(),
  objective: ItemScore,
  keyResults: /* @__PURE__ */ z.array(/* @__PURE__ */ z.extend(ItemScore, { id: /* @__PURE__ */ z.string() })),
  complete: /* @__PURE__ */ z.boolean(),
  passes: /* @__PURE__ */ z.boolean().check(/* @__PURE__ */ z.describe("Complete, overall ≥ 70 and no item below 60")),
});

export const PhaseTransition = /* @__PURE__ */ z.object({ from: /* @__PURE__ */ z.string(), to: /* @__PURE__ */ z.string(), by: /* @__PURE__ */ z.string(), reason: /* @__PURE__ */ z.string(), at: /* @__PURE__ */ z.string() });

/** A phase change a request caused (the flow's `phase_transition` effect). */
export const TransitionEffect = /* @__PURE__ */ z.object({
  type: /* @__PURE__ */ z.literal("phase_transition"),
  from: /* @__PURE__ */ z.string(),
  to: /* @__PURE__ */ z.string(),
  by: /* @__PURE__ */ z.enum(["user", "assistant", "rule"]),
  reason: /* @__PURE__ */ z.string(),
});

export const OkrSet = /* @__PURE__ */ z.object({
  sessionId: /* @__PURE__ */ z.string(),
  phase: /* @__PURE__ */ z.string(),
  draft: Okr.OkrDraft,
  draftVersion: /* @__PURE__ */ z.number().check(/* @__PURE__ */ z.int(), /* @__PURE__ */ z.describe("Bumped on every change of the draft")),
  scores: /* @__PURE__ */ DraftScore.check(/* @__PURE__ */ z.describe("The rubric's scores: the stored score, whoever wrote the draft")),
  transitions: /* @__PURE__ */ z.array(PhaseTransition),
});

export const OkrExport = /* @__PURE__ */ z.object({
  phase: /* @__PURE__ */ z.string(),
  draft: Okr.OkrDraft,
  draftVersion: /* @__PURE__ */ z.number().check(/* @__PURE__ */ z.int()),
  scores: DraftScore,
  transitions: /* @__PURE__ */ z.array(PhaseTransition),
});

export const SessionExport = /* @__PURE__ */ z.object({
  session: Conversation.Info,
  messages: /* @__PURE__ */ z.array(Conversation.Message),
  feedback: /* @__PURE__ */ z.array(Conversation.Feedback),
  okr: /* @__PURE__ */ z.optional(OkrExport).check(/* @__PURE__ */ z.describe("OKR sessions only: the final OKR set and how the phases went")),
  exportedAt: /* @__PURE__ */ z.string(),
});

export { NextCursor } from "../shared/next-cursor";

/**
 * Shared schemas, by component name. A route schema that contains one of
 * these gets a `$ref` to `#/components/schemas/<name>` instead of a copy.
 */
export const namedSchemas: Readonly<Record<string, z.ZodMiniType>> = {
  Session: Conversation.Info,
  Message: Conversation.Message,
  Feedback: Conversation.Feedback,
  OkrDraft: Okr.OkrDraft,
  DraftScore,
  PhaseTransition,
  OkrSet,
  SessionExport,
  Problem,
  OpenAiError,
};

// The documented shapes accept what the code really returns.
type Accepts<Schema extends z.ZodMiniType, Value> = Value extends z.output<Schema> ? true : false;
const agree: [
  Accepts<typeof OkrSet, Okr.OkrSet>,
  Accepts<typeof SessionExport, Conversation.SessionExport>,
  Accepts<typeof DraftScore, Okr.DraftScore>,
  Accepts<typeof Problem, ProblemShape>,
] = [true, true, true, true];
void agree;
