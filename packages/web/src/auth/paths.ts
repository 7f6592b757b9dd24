/** The OIDC return routes, apart from ./oidc so checking the URL does not load oidc-client-ts. */
export const CALLBACK_PATH = "/callback";
export const SILENT_CALLBACK_PATH = "/silent-callback";
