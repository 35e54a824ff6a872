// GraphiQL for labeling's API, served by the gateway at /graphiql in Development (docs/web.md). Queries and mutations go
// to /graphql by POST, subscriptions over a graphql-transport-ws socket on the same path. A signed-in browser's session
// cookie goes with every request; a caller without one puts {"Authorization": "Bearer …"} (./cl2 token) in the Headers tab,
// which also travels in the socket's connection_init payload because a browser cannot put headers on a WebSocket.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { createClient } from 'graphql-ws';
import { authorizationOf, documentOf, subscriptionUrl } from './transport';

/** The query GraphiQL opens with on a fresh browser: it works on a fresh database (tests/Cl2.Labeling.Tests/FirstRunTests.cs). */
const defaultQuery = '{ datasets(first: 10) { totalCount edges { node { id name caseCount } } } }\n';

let authorization: string | undefined;
const wsClient = createClient({
  url: subscriptionUrl(location),
  // Read when the socket opens: the lazy client closes once no subscription is left, so a changed token takes effect on the next one.
  connectionParams: () => (authorization ? { Authorization: authorization } : {}),
});
const http = createGraphiQLFetcher({ url: '/graphql', wsClient, enableIncrementalDelivery: false });
const fetcher: Fetcher = (params, options) => {
  authorization = authorizationOf(options?.headers);
  return http(params, { ...options, documentAST: documentOf(params.query, options?.documentAST) });
};

createRoot(document.getElementById('graphiql')!).render(
  createElement(GraphiQL, { fetcher, defaultQuery, shouldPersistHeaders: true }),
);
document.body.dataset.ready = 'graphiql';
