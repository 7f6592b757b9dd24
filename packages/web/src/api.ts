/**
 * The app's only way to the API: `@coach/client`'s REST and WebSocket
 * clients, built from the configuration and the signed-in user's token.
 */
import { ConversationClient, DocumentClient, RealtimeClient, TemplateClient } from "@coach/client";
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { SignedIn } from "./auth/types";
import type { AppConfig } from "./config";

export interface Api {
  rest: ConversationClient;
  realtime: RealtimeClient;
  templates: TemplateClient;
  documents: DocumentClient;
}

export function createApi(config: AppConfig, auth: SignedIn, onUnauthorized: () => void): Api {
  // getToken, not token: both clients ask before every request and reconnect, so a renewed token is picked up.
  const getToken = () => auth.getToken();
  // The client's own fetch, watched: a 401 means the token is no good any more, whatever the route.
  const watched = async (input: string, init?: RequestInit) => {
    const response = await fetch(input, init);
    if (response.status === 401) onUnauthorized();
    return response;
  };
  const rest = { baseUrl: config.apiUrl, getToken, fetch: watched };
  return {
    rest: new ConversationClient(rest),
    realtime: new RealtimeClient({ url: config.wsUrl, getToken }),
    templates: new TemplateClient(rest),
    documents: new DocumentClient(rest),
  };
}

export const ApiContext = createContext<Api | null>(null);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error("useApi outside ApiContext");
  return api;
}
