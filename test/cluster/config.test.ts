import { describe, expect, it } from 'vitest';
import { withoutCredentials } from '../../src/cluster/redis.js';
import { loadConfig } from '../../src/config/index.js';

describe('cluster configuration', () => {
  it('defaults to a 10 s lease, a 5 s start-up wait and the jsg: prefix', () => {
    const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', leaseMs: 10_000, connectTimeoutMs: 5000, commandTimeoutMs: 1000, prefix: 'jsg:', optional: false });
  });

  it('refuses a lease too short to outlive a poll, naming the variable', () => {
    expect(() => loadConfig({ REDIS_LEASE_MS: '50' })).toThrow('REDIS_LEASE_MS: expected an integer of at least 100, got "50"');
    expect(() => loadConfig({ REDIS_CONNECT_TIMEOUT_MS: 'soon' })).toThrow('REDIS_CONNECT_TIMEOUT_MS: expected a positive integer, got "soon"');
    expect(() => loadConfig({ REDIS_COMMAND_TIMEOUT_MS: '0' })).toThrow('REDIS_COMMAND_TIMEOUT_MS: expected a positive integer, got "0"');
  });

  it('names a Redis server in messages without its credentials', () => {
    expect(withoutCredentials('redis://user:pa55@cache.internal:6380/3')).toBe('redis://cache.internal:6380/3');
    expect(withoutCredentials('rediss://:pa55@cache.internal')).toBe('rediss://cache.internal:6379');
  });
});
