// GraphQL over HTTP through the gateway. The browser sends its session cookie; the gateway attaches the access token
// (docs/security.md), so no token ever lives in this page.

/** A GraphQL error with the API's stable `extensions.code` (UNAUTHENTICATED, FORBIDDEN, LABEL_REVISION_CONFLICT, …). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** The data of an answer, or the first error as an {@link ApiError}. */
export function readAnswer<T>(answer: GraphQLAnswer<T>, status: number): T {
  const error = answer.errors?.[0];
  if (error) {
    // Labeling (GraphQL.NET) sends an error's details (the current revision of a conflict, …) under extensions.data.
    const { code, data, ...rest } = error.extensions ?? {};
    const details = { ...rest, ...(typeof data === 'object' && data !== null ? data as Record<string, unknown> : {}) };
    throw new ApiError(error.message, typeof code === 'string' ? code : 'ERROR', details);
  }
  if (answer.data == null) {
    throw new ApiError(`The API answered ${status} without data`, status === 401 ? 'UNAUTHENTICATED' : 'ERROR');
  }
  return answer.data;
}

export async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch('/graphql', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify({ query, variables }),
  });
  let answer: GraphQLAnswer<T>;
  try {
    answer = (await response.json()) as GraphQLAnswer<T>;
  } catch {
    throw new ApiError(`The API answered ${response.status} ${response.statusText}, not GraphQL`, response.status === 401 ? 'UNAUTHENTICATED' : 'ERROR');
  }
  return readAnswer(answer, response.status);
}

/** Stores bytes in the blob store (`POST /blobs`) and returns their digest (`sha256:…`). */
export async function uploadBlob(bytes: Uint8Array): Promise<string> {
  const response = await fetch('/blobs', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: bytes as BufferSource,
  });
  if (!response.ok) {
    throw new ApiError(`The blob store refused the label (${response.status}): ${await response.text()}`, `HTTP_${response.status}`);
  }
  return ((await response.json()) as { digest: string }).digest;
}

export async function downloadBlob(digest: string): Promise<Uint8Array> {
  const response = await fetch(`/blobs/${digest}`, { credentials: 'same-origin' });
  if (!response.ok) {
    throw new ApiError(`The blob store has no ${digest} for you (${response.status})`, `HTTP_${response.status}`);
  }
  return new Uint8Array(await response.arrayBuffer());
}
