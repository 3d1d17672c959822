/**
 * What the service says at start-up about how exposed it is, and how it tells a key from a guess.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { ApiKeyCheck } from '../../src/security/api-keys.js';
import { exposureWarnings, isLoopback } from '../../src/security/exposure.js';

describe('start-up warnings', () => {
  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.10.0.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'example.com', '128.0.0.1', '::ffff:10.0.0.1']) expect(isLoopback(host)).toBe(false);
  });

  it('warns when the API is open beyond loopback, and only then', () => {
    expect(exposureWarnings(loadConfig({ HOST: '0.0.0.0' }))).toEqual([
      'API_KEYS is not set and HOST=0.0.0.0 listens beyond loopback: anyone who can reach this port can read job statuses',
    ]);
    expect(exposureWarnings(loadConfig({ HOST: '0.0.0.0', API_KEYS: 'some-key' }))).toEqual([]);
    expect(exposureWarnings(loadConfig({ HOST: '127.0.0.1' }))).toEqual([]);
    expect(exposureWarnings(loadConfig({ HOST: '::1' }))).toEqual([]);
  });

  it('warns when GraphiQL is turned on in production', () => {
    expect(exposureWarnings(loadConfig({ NODE_ENV: 'production', GRAPHIQL: '1' }))).toEqual([
      'GRAPHIQL=1 in production: GraphiQL and schema introspection are served',
    ]);
  });
});

describe('API key check', () => {
  const check = new ApiKeyCheck(loadConfig({ API_KEYS: 'alpha-key,beta-key' }).security.apiKeys);

  it('names the caller of a valid bearer token, in any case of "Bearer" and with stray blanks', () => {
    expect(check.identify('Bearer alpha-key')).toEqual({ caller: { keyName: 'key1', providers: null, can: new Set(['read', 'track', 'start', 'webhooks']) } });
    expect(check.identify('bearer beta-key ')).toEqual({ caller: { keyName: 'key2', providers: null, can: new Set(['read', 'track', 'start', 'webhooks']) } });
  });

  it('refuses what is not exactly a configured key', () => {
    for (const value of ['Bearer alpha', 'Bearer alpha-key2', 'Bearer ALPHA-KEY', 'alpha-key', 'Bearer', 'Bearer alpha-key beta-key', 42, { authorization: 'x' }]) {
      expect(check.identify(value)).toHaveProperty('refused');
    }
    expect(check.identify(undefined)).toEqual({ refused: 'This API requires an API key: send the header "Authorization: Bearer <key>"' });
  });

  it('lets everyone in when no key is configured', () => {
    expect(new ApiKeyCheck([]).identify(undefined)).toEqual({ caller: { keyName: null, providers: null, can: new Set(['read', 'track', 'start', 'webhooks']) } });
  });
});
