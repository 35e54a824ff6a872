// GraphQL subscriptions (graphql-transport-ws) through the gateway's /graphql WebSocket. The browser sends its session
// cookie with the upgrade; the gateway attaches the access token, as for every other request of the page.

import { createClient, type Client } from 'graphql-ws';

let client: Client | undefined;

/** Calls `next` with each event's data until the returned function is called; errors go to `error`. */
export function subscribe<T>(query: string, variables: Record<string, unknown>, next: (data: T) => void, error: (reason: unknown) => void): () => void {
  client ??= createClient({ url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`, lazy: true, retryAttempts: 5 });
  return client.subscribe<T>({ query, variables }, {
    next: (answer) => { if (answer.data) next(answer.data); else if (answer.errors) error(new Error(answer.errors[0].message)); },
    error,
    complete: () => {},
  });
}
