import * as Coaching from "@coach/core/coaching";
import { httpRoute } from "../shared/route";
import { SessionPath } from "./params";

/** The session's current OKR draft, the rubric's scores and reasons, its version and phase history. */
export const handler = httpRoute({ auth: "user", path: SessionPath }, async ({ path }) => ({ body: await Coaching.okrSet(path.id) }));
