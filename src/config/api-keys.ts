/**
 * API keys from `API_KEYS`, and the checks every key must pass, wherever it is configured.
 */
import { splitList, type EnvReader } from './env-reader.js';
import type { Findings } from './findings.js';
import { type ApiKey, CAPABILITIES } from './model.js';

/** Printable ASCII without spaces: what survives an `Authorization` header unchanged. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/** `API_KEYS` entries are named `key1`, `key2`… by position. */
export function envApiKeys(read: EnvReader, findings: Findings): ApiKey[] {
  const apiKeys: ApiKey[] = [];
  splitList(read.text('API_KEYS')).forEach((key, index) => {
    findings.secret(key);
    const problem = apiKeyProblem(key, apiKeys);
    if (problem === undefined) apiKeys.push({ key, providers: null, name: `key${index + 1}`, can: [...CAPABILITIES] });
    else findings.problem('API_KEYS', `key ${index + 1} ${problem}`);
  });
  return apiKeys;
}

/**
 * What is wrong with a key, given the keys accepted before it. A repeated key would make the
 * name it is known by (in logs and metrics) ambiguous.
 */
export function apiKeyProblem(key: string, earlier: readonly ApiKey[]): string | undefined {
  if (!HEADER_SAFE.test(key)) return 'contains spaces or characters that cannot be sent in a header';
  if (earlier.some((apiKey) => apiKey.key === key)) return 'repeats an earlier key';
  return undefined;
}
