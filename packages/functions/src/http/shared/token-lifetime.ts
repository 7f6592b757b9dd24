/**
 * Longest a user token may live, in every stage: `exp` is required, and may
 * lie at most this far after `iat` (or after now, without `iat`). Cognito's
 * tokens live at most a day; a token without an end is never accepted. The
 * local dev issuer's `pnpm token` refuses to mint one the API would refuse.
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;
