import { describe, expect, it } from 'vitest';
import { parse, type DocumentNode } from 'graphql';
import { authorizationOf, documentOf, subscriptionUrl } from '../src/graphiql/transport';

const operationOf = (document: DocumentNode) =>
  document.definitions[0]?.kind === 'OperationDefinition' ? document.definitions[0].operation : undefined;

describe('GraphiQL transport', () => {
  it('opens the subscription socket on the page origin, secure when the page is', () => {
    expect(subscriptionUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/graphql');
    expect(subscriptionUrl({ protocol: 'https:', host: 'cl2.example.org' })).toBe('wss://cl2.example.org/graphql');
  });

  it('takes the authorization header of the headers tab whatever its case for connection_init', () => {
    expect(authorizationOf({ authorization: 'Bearer abc' })).toBe('Bearer abc');
    expect(authorizationOf({ 'X-Other': '1', Authorization: 'Bearer def' })).toBe('Bearer def');
    expect(authorizationOf({ Authorization: '' })).toBeUndefined();
    expect(authorizationOf(undefined)).toBeUndefined();
  });

  it('judges a run by the text it sends, not by the document GraphiQL parsed before the last edit', () => {
    const stale = parse('{ datasets(first: 10) { totalCount } }');
    const sent = documentOf('subscription { modelPromoted { modelId } }', stale);
    expect(operationOf(sent)).toBe('subscription');
    expect(operationOf(stale)).toBe('query');
  });

  it('keeps GraphiQL\'s document when the text does not parse, so the server reports the syntax error', () => {
    const previous = parse('{ datasets { totalCount } }');
    expect(documentOf('subscription { modelPromoted {', previous)).toBe(previous);
    expect(documentOf('{', undefined)).toBeUndefined();
  });
});
