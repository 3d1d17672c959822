/**
 * `JOBS_CONFIG`: named accounts per provider and API keys, read from a JSON file whose settings may
 * name environment variables (`{"env": …}`) instead of holding secrets.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_ACCOUNT, type Provider } from '../jobs/model.js';
import type { AccountConfig } from '../providers/descriptor.js';
import type { Fields, Origin } from '../providers/account-fields.js';
import { apiKeyProblem } from './api-keys.js';
import type { Env } from './env-table.js';
import type { Findings } from './findings.js';
import { issueMessage, jobsConfigSchema, keyPathOf, type JobsConfigFile, type Setting } from './jobs-file-schema.js';
import { type ApiKey, DEFAULT_CAPABILITIES } from './model.js';
import { PROVIDER_SETUPS, type ProviderSetup } from '../providers/catalog.js';

/** What reading the file needs to know of the rest. */
interface FileContext {
  readonly env: Env;
  readonly findings: Findings;
  /** Providers whose account `default` the environment configures. */
  readonly envProviders: ReadonlySet<Provider>;
  readonly envApiKeys: readonly ApiKey[];
}

/** Reports a problem at a key path of the file. */
type FileProblem = (keyPath: string, message: string) => void;

interface FileContents {
  accounts: AccountConfig[];
  apiKeys: ApiKey[];
}

/** Reads the file; a shape problem anywhere makes it contribute nothing. */
export function readJobsConfig(path: string, context: FileContext): FileContents {
  const problem: FileProblem = (keyPath, message) => context.findings.fileProblem(path, keyPath, message);
  const json = readJson(path, problem);
  if (json === undefined) return { accounts: [], apiKeys: [] };
  const parsed = jobsConfigSchema.safeParse(json);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problem(keyPathOf(issue.path), issueMessage(issue));
    return { accounts: [], apiKeys: [] };
  }
  const resolve = settingResolver(context, problem);
  const accounts = PROVIDER_SETUPS.flatMap((setup) => fileAccounts(setup, parsed.data, context, resolve, problem));
  return { accounts, apiKeys: fileApiKeys(parsed.data, context.envApiKeys, resolve, problem) };
}

function readJson(path: string, problem: FileProblem): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    problem('', `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    // V8's message may quote the text around the error, secrets included: report the place only.
    const position = /at position (\d+)/.exec((error as Error).message)?.[1];
    problem('', `not valid JSON${position === undefined ? '' : ` (${lineAndColumn(text, Number(position))})`}`);
    return undefined;
  }
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

type Resolve = (setting: Setting | undefined, keyPath: string, secret: boolean) => string | undefined | false;

/**
 * Turns a setting into its value: undefined when absent, false (and a problem recorded) when
 * empty or naming an unset variable. Secret values join the secrets.
 */
function settingResolver({ env, findings }: FileContext, problem: FileProblem): Resolve {
  return (setting, keyPath, secret) => {
    if (setting === undefined) return undefined;
    const value = (typeof setting === 'string' ? setting : env[setting.env])?.trim();
    if (!value) {
      problem(keyPath, typeof setting === 'string' ? 'must not be empty' : `environment variable ${setting.env} is not set`);
      return false;
    }
    if (secret) findings.secret(value);
    return value;
  };
}

function fileAccounts(
  setup: ProviderSetup<string>,
  file: JobsConfigFile,
  context: FileContext,
  resolve: Resolve,
  problem: FileProblem,
): AccountConfig[] {
  const accounts: AccountConfig[] = [];
  for (const [name, raw] of Object.entries((file as Record<string, Record<string, unknown> | undefined>)[setup.fileKey] ?? {})) {
    const prefix = `${setup.fileKey}.${name}`;
    if (name === DEFAULT_ACCOUNT && context.envProviders.has(setup.provider)) {
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
function fileApiKeys(file: JobsConfigFile, envKeys: readonly ApiKey[], resolve: Resolve, problem: FileProblem): ApiKey[] {
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
    else accepted.push({
        key,
        providers: entry.providers ? [...new Set(entry.providers)] : null,
        name: entry.name,
        can: entry.can ? [...new Set(entry.can)] : [...DEFAULT_CAPABILITIES],
      });
  });
  return accepted.slice(envKeys.length);
}
