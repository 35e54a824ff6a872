import { describe, expect, it } from 'vitest';
import { authorizationOf, subscriptionUrl } from '../src/graphiql/transport';

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
});
