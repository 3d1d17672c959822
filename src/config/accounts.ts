/**
 * Provider accounts from the environment: account `default` of each provider.
 */
import { DEFAULT_ACCOUNT, type Provider } from '../jobs/model.js';
import type { AccountConfig } from '../providers/descriptor.js';
import type { Fields, Origin } from '../providers/account-fields.js';
import type { EnvReader } from './env-reader.js';
import type { EnvName } from './env-table.js';
import type { Findings } from './findings.js';
import { PROVIDER_SETUPS, type ProviderSetup } from '../providers/catalog.js';

/**
 * Account `default` of each provider whose variables are set: any one set enables the provider,
 * so a partial configuration is an error rather than silently ignored.
 */
export function envAccounts(read: EnvReader, findings: Findings): { accounts: AccountConfig[]; providers: Set<Provider> } {
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
