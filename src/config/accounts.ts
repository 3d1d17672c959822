/**
 * Provider accounts and API keys, from the environment (account `default` of each provider,
 * `API_KEYS`) and from the `JOBS_CONFIG` file (named accounts, named keys). Both sources are
 * driven by the provider descriptors (`providers/catalog.ts`): which fields an account has, which
 * variable or file key holds each, which are secret, and how the fields become an account.
 */
import { DEFAULT_ACCOUNT, type Provider } from '../jobs/model.js';
import type { Fields, Origin } from '../providers/account-fields.js';
import { PROVIDER_SETUPS, type ProviderSetup } from '../providers/catalog.js';
import type { AccountConfig } from '../providers/descriptor.js';
import type { ApiKey } from '../security/api-keys.js';
import { CAPABILITIES, DEFAULT_CAPABILITIES } from '../security/caller.js';
import { splitList, type Env, type EnvName, type EnvReader } from './env.js';
import type { Findings } from './findings.js';
import { readJobsFile, settingResolver, type FileProblem, type JobsConfigFile, type Resolve, type Setting } from './jobs-file.js';

/** What the configuration serves: the real accounts and the keys callers must carry. */
export interface Accounts {
  /** Account `default` from the environment, then the file's, in file order. */
  readonly accounts: AccountConfig[];
  /** `API_KEYS` (named `key1`…, all providers) then the file's `apiKeys`; empty: the API is open. */
  readonly apiKeys: ApiKey[];
}

/** The environment's accounts and keys, then `JOBS_CONFIG`'s when it is set. */
export function readAccounts(read: EnvReader, env: Env, findings: Findings): Accounts {
  const fromEnv = envAccounts(read, findings);
  const accounts = [...fromEnv.accounts];
  const apiKeys = envApiKeys(read, findings);
  const path = read.text('JOBS_CONFIG');
  if (path === undefined) return { accounts, apiKeys };
  const problem: FileProblem = (keyPath, message) => findings.fileProblem(path, keyPath, message);
  const file = readJobsFile(path, problem);
  if (file === undefined) return { accounts, apiKeys };
  const context: FileContext = { resolve: settingResolver(env, findings, problem), problem, envProviders: fromEnv.providers };
  accounts.push(...PROVIDER_SETUPS.flatMap((setup) => fileAccounts(setup, file, context)));
  apiKeys.push(...fileApiKeys(file, apiKeys, context));
  return { accounts, apiKeys };
}

/**
 * Account `default` of each provider whose variables are set: any one set enables the provider,
 * so a partial configuration is an error rather than silently ignored.
 */
function envAccounts(read: EnvReader, findings: Findings): { accounts: AccountConfig[]; providers: Set<Provider> } {
  const accounts: AccountConfig[] = [];
  const providers = new Set<Provider>();
  for (const setup of PROVIDER_SETUPS) {
    const fields = envFields(setup, read, findings);
    if (fields === undefined) continue;
    providers.add(setup.provider);
    // Builders only name their own fields, each of which has a variable.
    const envName = (field: string): EnvName => setup.env[field] as EnvName;
    const at: Origin = { name: envName, problem: (field, message) => findings.problem(envName(field), message) };
    const account = setup.build(DEFAULT_ACCOUNT, fields, at);
    if (account) accounts.push(account);
  }
  return { accounts, providers };
}

function envFields(setup: ProviderSetup<string>, read: EnvReader, findings: Findings): Fields<string> | undefined {
  const fields: Fields<string> = {};
  for (const [field, name] of Object.entries(setup.env)) {
    const value = read.text(name as EnvName);
    if (value !== undefined) fields[field] = value;
    if (setup.secretFields.includes(field)) findings.secret(value);
  }
  return Object.keys(fields).length === 0 ? undefined : fields;
}

/** Printable ASCII without spaces: what survives an `Authorization` header unchanged. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/** `API_KEYS` entries are named `key1`, `key2`… by position. */
function envApiKeys(read: EnvReader, findings: Findings): ApiKey[] {
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
function apiKeyProblem(key: string, earlier: readonly ApiKey[]): string | undefined {
  if (!HEADER_SAFE.test(key)) return 'contains spaces or characters that cannot be sent in a header';
  if (earlier.some((apiKey) => apiKey.key === key)) return 'repeats an earlier key';
  return undefined;
}

/** What reading the file's accounts and keys needs. */
interface FileContext {
  readonly resolve: Resolve;
  readonly problem: FileProblem;
  /** Providers whose account `default` the environment configures. */
  readonly envProviders: ReadonlySet<Provider>;
}

function fileAccounts(setup: ProviderSetup<string>, file: JobsConfigFile, { resolve, problem, envProviders }: FileContext): AccountConfig[] {
  const accounts: AccountConfig[] = [];
  for (const [name, raw] of Object.entries((file as Record<string, Record<string, unknown> | undefined>)[setup.fileKey] ?? {})) {
    const prefix = `${setup.fileKey}.${name}`;
    if (name === DEFAULT_ACCOUNT && envProviders.has(setup.provider)) {
      const vars = Object.values(setup.env).join(', ');
      problem(prefix, `account "${DEFAULT_ACCOUNT}" is also configured by environment variables (${vars}); keep one`);
      continue;
    }
    const fields = resolveFields(setup, raw as Record<string, Setting | undefined>, prefix, resolve);
    if (fields === undefined) continue;
    const at: Origin = { name: (field) => field, problem: (field, message) => problem(`${prefix}.${field}`, message) };
    const account = setup.build(name, fields, at);
    if (account) accounts.push(account);
  }
  return accounts;
}

/** Undefined when any setting could not be resolved (its problem is already recorded). */
function resolveFields(
  setup: ProviderSetup<string>,
  raw: Record<string, Setting | undefined>,
  prefix: string,
  resolve: Resolve,
): Fields<string> | undefined {
  const fields: Fields<string> = {};
  let complete = true;
  for (const [field, setting] of Object.entries(raw)) {
    const value = resolve(setting, `${prefix}.${field}`, setup.secretFields.includes(field));
    if (value === false) complete = false;
    else if (value !== undefined) fields[field] = value;
  }
  return complete ? fields : undefined;
}

/** Names and keys must be distinct from each other and from `API_KEYS`' (named `key1`…). */
function fileApiKeys(file: JobsConfigFile, envKeys: readonly ApiKey[], { resolve, problem }: FileContext): ApiKey[] {
  const accepted = [...envKeys];
  (file.apiKeys ?? []).forEach((entry, index) => {
    if (accepted.some((apiKey) => apiKey.name === entry.name)) {
      problem(`apiKeys[${index}].name`, `"${entry.name}" names another API key (API_KEYS names its keys key1, key2…)`);
      return;
    }
    const key = resolve(entry.key, `apiKeys[${index}].key`, true);
    if (typeof key !== 'string') return;
    const keyProblem = apiKeyProblem(key, accepted);
    if (keyProblem !== undefined) problem(`apiKeys[${index}].key`, keyProblem);
    else {
      accepted.push({
        key,
        providers: entry.providers ? [...new Set(entry.providers)] : null,
        name: entry.name,
        can: entry.can ? [...new Set(entry.can)] : [...DEFAULT_CAPABILITIES],
      });
    }
  });
  return accepted.slice(envKeys.length);
}
