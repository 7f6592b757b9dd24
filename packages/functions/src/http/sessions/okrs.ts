import * as Okr from "@coach/core/okr";
import { httpRoute } from "../shared/route";
import { SessionPath } from "./params";
import * as Schemas from "../openapi/schemas";

/** The session's current OKR draft, the rubric's scores and reasons, its version and phase history. */
export const handler = httpRoute("GET /api/sessions/{id}/okrs", { path: SessionPath, summary: "The OKR draft, its rubric scores, version and phase history", response: { schema: Schemas.OkrSet } }, async ({ path }) => ({ body: await Okr.okrSet(path.id) }));
