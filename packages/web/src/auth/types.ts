/** A signed-in user, whichever way they signed in. */
export interface SignedIn {
  /** What the header shows. */
  user: string;
  /** A valid JWT; renewed when close to expiry (the clients call it before every request and reconnect). */
  getToken(): Promise<string>;
  signOut(): Promise<void>;
  /** Drops the local sign-in without a trip to the issuer: the API refused the token (401). */
  forget(): Promise<void>;
}
