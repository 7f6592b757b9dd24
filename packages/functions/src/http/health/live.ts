import { httpRoute } from "../shared/route";

/** Liveness: the function runs. Touches nothing else. */
export const handler = httpRoute({ auth: "none" }, async () => ({ body: { status: "ok" } }));
