import { parse, type DocumentNode } from 'graphql';

/** The graphql-transport-ws address of labeling's API on the page's own origin (through the gateway). */
export function subscriptionUrl(page: { protocol: string; host: string }): string {
  return `${page.protocol === 'https:' ? 'wss:' : 'ws:'}//${page.host}/graphql`;
}

/** The Authorization value a GraphiQL Headers tab names, whatever its case, for the socket's connection_init payload. */
export function authorizationOf(headers: Record<string, unknown> | undefined): string | undefined {
  const entry = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization');
  return typeof entry?.[1] === 'string' && entry[1].length > 0 ? entry[1] : undefined;
}

/** The parsed document of the query a run sends. GraphiQL parses the editor 100 ms after the last keystroke and hands the
 * fetcher that parse, so a run started sooner carries the previous text's document: a subscription typed over a query then
 * went by POST, which the server refuses. Parsing the text actually sent keeps the two together; text that does not parse
 * keeps GraphiQL's document, and the server reports the syntax error. */
export function documentOf<T>(query: string, fallback: T): DocumentNode | T {
  try {
    return parse(query);
  } catch {
    return fallback;
  }
}
