/**
 * `JOBS_CONFIG`: the file's shape (zod) and its reading, down to settings resolved to values. Any
 * string setting may name an environment variable (`{"env": …}`) instead of holding a secret.
 * What the accounts and keys in it become is `accounts.ts`'s business, as for the environment's.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PROVIDERS, PROVIDER_SETUPS, type ProviderSetup } from '../providers/catalog.js';
import { CAPABILITIES } from '../security/caller.js';
import type { Env } from './env.js';
import type { Findings } from './findings.js';

/** Account names appear in refs, ids, metrics and Redis keys. */
const ACCOUNT_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Any string setting may be given inline or read from an environment variable. */
const settingSchema = z.union(
  [z.string(), z.strictObject({ env: z.string().regex(ENV_VAR_NAME, 'expected an environment variable name') })],
  { error: 'expected a string or {"env": "VARIABLE"}' },
);
export type Setting = z.infer<typeof settingSchema>;

/** Numeric account fields may also be JSON numbers (`"maxRequestsPerMinute": 300`), read as their decimal text. */
const NUMERIC_FIELDS: ReadonlySet<string> = new Set(['maxRequestsPerMinute']);
const numericSettingSchema = z.union([z.number().transform(String), settingSchema], { error: 'expected a number, a string or {"env": "VARIABLE"}' });

const accountNameSchema = z.string().regex(ACCOUNT_NAME, `account names must match ${ACCOUNT_NAME.source}`);

function accountsSchema<F extends string>(setup: ProviderSetup<F>) {
  const shape = Object.fromEntries(Object.keys(setup.env).map((field) => [field, (NUMERIC_FIELDS.has(field) ? numericSettingSchema : settingSchema).optional()])) as Record<
    F,
    z.ZodOptional<typeof settingSchema>
  >;
  return z.record(accountNameSchema, z.strictObject(shape)).optional();
}

const apiKeySchema = z.strictObject({
  name: accountNameSchema,
  key: settingSchema,
  providers: z.array(z.enum(PROVIDERS)).min(1, 'list at least one provider, or omit "providers" for all').optional(),
  can: z.array(z.enum(CAPABILITIES)).optional(),
});

/** The whole file; a key it does not know is a problem, not ignored. */
export const jobsConfigSchema = z.strictObject({
  // One key per provider (`imagekit`, `saymon`, `zendesk`), from the descriptors.
  ...(Object.fromEntries(PROVIDER_SETUPS.map((setup) => [setup.fileKey, accountsSchema(setup)])) as Record<string, ReturnType<typeof accountsSchema>>),
  apiKeys: z.array(apiKeySchema).optional(),
});
export type JobsConfigFile = z.infer<typeof jobsConfigSchema>;

/** A zod issue's path as messages name it: `saymon.main.login`, `apiKeys[0].key`. */
function keyPathOf(path: ReadonlyArray<PropertyKey>): string {
  return path.map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`)).join('');
}

/** A zod issue as a message: unknown keys listed (with the known ones at the top level), zod's "Invalid input: " dropped. */
function issueMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys': {
      const keys = issue.keys.map((key) => JSON.stringify(key)).join(', ');
      const hint = issue.path.length === 0 ? ` (expected ${Object.keys(jobsConfigSchema.shape).join(', ')})` : '';
      return `unknown key ${keys}${hint}`;
    }
    case 'invalid_key':
      return issue.issues[0]?.message ?? issue.message;
    default:
      return issue.message.replace(/^Invalid input: /, '');
  }
}

/** Reports a problem at a key path of the file. */
export type FileProblem = (keyPath: string, message: string) => void;

/** Reads and checks the file; undefined when it cannot be read or a shape problem is anywhere (each already reported). */
export function readJobsFile(path: string, problem: FileProblem): JobsConfigFile | undefined {
  const json = readJson(path, problem);
  if (json === undefined) return undefined;
  const parsed = jobsConfigSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) problem(keyPathOf(issue.path), issueMessage(issue));
  return undefined;
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

export type Resolve = (setting: Setting | undefined, keyPath: string, secret: boolean) => string | undefined | false;

/**
 * Turns a setting into its value: undefined when absent, false (and a problem recorded) when
 * empty or naming an unset variable. Secret values join the secrets.
 */
export function settingResolver(env: Env, findings: Findings, problem: FileProblem): Resolve {
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
