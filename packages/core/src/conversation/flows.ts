/** The flows a session can run live in the flow registry; conversation only needs their names and first phases. */
export { flowNames, defaultFlow, flowFor } from "../flow/registry";
export type { FlowName } from "../flow/registry";
