/** The graphql-transport-ws address of labeling's API on the page's own origin (through the gateway). */
export function subscriptionUrl(page: { protocol: string; host: string }): string {
  return `${page.protocol === 'https:' ? 'wss:' : 'ws:'}//${page.host}/graphql`;
}

/** The Authorization value a GraphiQL Headers tab names, whatever its case, for the socket's connection_init payload. */
export function authorizationOf(headers: Record<string, unknown> | undefined): string | undefined {
  const entry = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization');
  return typeof entry?.[1] === 'string' && entry[1].length > 0 ? entry[1] : undefined;
}
