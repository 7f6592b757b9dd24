import * as z from "zod";
import * as Conversation from "@coach/core/conversation";

import * as Okr from "@coach/core/okr";
import type { Problem as ProblemShape } from "../shared/problem";

/**
 * Response shapes for the OpenAPI document, where the core has a TypeScript
 * type but no zod schema. The type checks at the bottom keep them honest: the
 * value a handler returns must satisfy the schema that documents it.
 */

/** RFC 7807 problem details, as `problemFor` builds them; extension members (e.g. `retryAfter`, `issues`) may follow. */
export const Problem = z
  .object({
    type: z.string().describe("`urn:coach:problem:<code>`"),
    title: z.string().describe("The HTTP status in words"),
    status: z.number().int(),
    detail: z.string().describe("What went wrong, for a human"),
    code: z.string().describe("Stable machine-readable code, e.g. `session.not_found`"),
    instance: z.string().optional().describe("The request path"),
    traceId: z.string().describe("Finds the request in the logs; also in the `x-trace-id` header"),
  })
  .catchall(z.unknown());

/** The error shape of the OpenAI-compatible routes (`errors: "openai"` in their spec), as OpenAI clients expect it. */
export const OpenAiError = z.object({
  error: z.object({
    message: z.string(),
    type: z.string().describe("`invalid_request_error`, `rate_limit_error` or `server_error`"),
    param: z.string().nullable().describe("The offending field, when there is one"),
    code: z.string().nullable(),
  }),
});

const reasonCodes = Okr.criteria.map((criterion) => criterion.code) as [Okr.ReasonCode, ...Okr.ReasonCode[]];

export const Reason = z.object({
  code: z.enum(reasonCodes),
  message: z.string().describe("What is wrong with this item, in words"),
  points: z.number().describe("What it cost"),
  suggestion: z.string(),
});

export const ItemScore = z.object({ score: z.number(), reasons: z.array(Reason) });

export const DraftScore = z.object({
  overall: z.number(),
  objective: ItemScore,
  keyResults: z.array(ItemScore.extend({ id: z.string() })),
  complete: z.boolean(),
  passes: z.boolean().describe("Complete, overall ≥ 70 and no item below 60"),
});

export const PhaseTransition = z.object({ from: z.string(), to: z.string(), by: z.string(), reason: z.string(), at: z.string() });

/** A phase change a request caused (the flow's `phase_transition` effect). */
export const TransitionEffect = z.object({
  type: z.literal("phase_transition"),
  from: z.string(),
  to: z.string(),
  by: z.enum(["user", "assistant", "rule"]),
  reason: z.string(),
});

export const OkrSet = z.object({
  sessionId: z.string(),
  phase: z.string(),
  draft: Okr.OkrDraft,
  draftVersion: z.number().int().describe("Bumped on every change of the draft"),
  scores: DraftScore.describe("The rubric's scores: the stored score, whoever wrote the draft"),
  transitions: z.array(PhaseTransition),
});

export const OkrExport = z.object({
  phase: z.string(),
  draft: Okr.OkrDraft,
  draftVersion: z.number().int(),
  scores: DraftScore,
  transitions: z.array(PhaseTransition),
});

export const SessionExport = z.object({
  session: Conversation.Info,
  messages: z.array(Conversation.Message),
  feedback: z.array(Conversation.Feedback),
  okr: OkrExport.optional().describe("OKR sessions only: the final OKR set and how the phases went"),
  exportedAt: z.string(),
});

export { NextCursor } from "../shared/next-cursor";

/**
 * Shared schemas, by component name. A route schema that contains one of
 * these gets a `$ref` to `#/components/schemas/<name>` instead of a copy.
 */
export const namedSchemas: Readonly<Record<string, z.ZodType>> = {
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
type Accepts<Schema extends z.ZodType, Value> = Value extends z.output<Schema> ? true : false;
const agree: [
  Accepts<typeof OkrSet, Okr.OkrSet>,
  Accepts<typeof SessionExport, Conversation.SessionExport>,
  Accepts<typeof DraftScore, Okr.DraftScore>,
  Accepts<typeof Problem, ProblemShape>,
] = [true, true, true, true];
void agree;
