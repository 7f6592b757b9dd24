/**
 * How long a test waits for an event before it calls it a hang. Generous on
 * purpose: a busy two-core CI machine is slow, never wrong, so no verdict may
 * hinge on how fast it is. Test files and their helpers wait with this, not
 * with a number of their own.
 */
export const HANG_CEILING_MS = 120_000;

/** A test's own ceiling: room for several waits of HANG_CEILING_MS would only delay the report of a real hang. */
export const TEST_CEILING_MS = 2 * HANG_CEILING_MS;
