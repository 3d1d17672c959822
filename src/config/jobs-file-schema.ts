/**
 * The shape of the `JOBS_CONFIG` file (zod), and its issues as messages with key paths.
 */
import { z } from 'zod';
import { PROVIDERS, PROVIDER_SETUPS, type ProviderSetup } from '../providers/catalog.js';
import { CAPABILITIES } from './model.js';

/** Account names appear in refs, ids, metrics and Redis keys. */
const ACCOUNT_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Any string setting may be given inline or read from an environment variable. */
const settingSchema = z.union(
  [z.string(), z.strictObject({ env: z.string().regex(ENV_VAR_NAME, 'expected an environment variable name') })],
  { error: 'expected a string or {"env": "VARIABLE"}' },
);
export type Setting = z.infer<typeof settingSchema>;

const accountNameSchema = z.string().regex(ACCOUNT_NAME, `account names must match ${ACCOUNT_NAME.source}`);

function accountsSchema<F extends string>(setup: ProviderSetup<F>) {
  const shape = Object.fromEntries(Object.keys(setup.env).map((field) => [field, settingSchema.optional()])) as Record<
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
export function keyPathOf(path: ReadonlyArray<PropertyKey>): string {
  return path.map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`)).join('');
}

/** A zod issue as a message: unknown keys listed (with the known ones at the top level), zod's "Invalid input: " dropped. */
export function issueMessage(issue: z.core.$ZodIssue): string {
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
