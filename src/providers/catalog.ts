/**
 * The provider catalog: the list of provider descriptors, and everything derived from it. The
 * runtime lists of providers and kinds, the kind → provider map, GraphQL type names, labels and
 * state tables are read from the descriptors here, so that adding a provider (or a kind) is one
 * new descriptor plus its GraphQL object type and its sandbox simulation.
 */
import type { JobKind, JobState, Provider } from '../jobs/model.js';
import type { KindCatalog, ProviderClient } from '../jobs/ports.js';
import type { Fields, Origin } from './account-fields.js';
import type { AccountConfig, AccountEnvVar, KindInfo, ProviderDescriptor } from './descriptor.js';
import type { UpstreamDeps } from './http.js';
import { IMAGEKIT } from './imagekit/descriptor.js';
import { SAYMON } from './saymon/descriptor.js';
import { ZENDESK } from './zendesk/descriptor.js';

export type { UpstreamDeps } from './http.js';
/** Results kept per Zendesk job; the schema says so in its field description. */
export { MAX_RESULTS_KEPT } from './zendesk/wire.js';

/** Every provider, in the order their accounts are listed (and the schema's enums). */
export const DESCRIPTORS = [IMAGEKIT, SAYMON, ZENDESK] as const;

/** The environment variable names of every provider's account `default`. */
export type ProviderEnvName = EnvNameOf<(typeof DESCRIPTORS)[number]>;
type EnvNameOf<D> = D extends { account: { env: infer E } } ? (E[keyof E] extends { name: infer N } ? N : never) : never;

const BY_PROVIDER = new Map<Provider, ProviderDescriptor>(DESCRIPTORS.map((descriptor) => [descriptor.provider, descriptor as ProviderDescriptor]));
const KIND_INFO = new Map<JobKind, KindInfo & { readonly provider: Provider }>(
  DESCRIPTORS.flatMap((descriptor) => descriptor.kinds.map((info: KindInfo) => [info.kind, { ...info, provider: descriptor.provider }] as const)),
);

/** The providers, as a tuple for enums (`z.enum`, the schema's `Provider`). */
export const PROVIDERS = DESCRIPTORS.map((descriptor) => descriptor.provider) as [Provider, ...Provider[]];

/** Every kind of job, in descriptor order. */
export const JOB_KINDS = [...KIND_INFO.keys()] as [JobKind, ...JobKind[]];

/** Which upstream serves each kind of job. */
export const PROVIDER_OF_KIND = Object.fromEntries([...KIND_INFO].map(([kind, info]) => [kind, info.provider])) as Record<JobKind, Provider>;

/** Each kind's GraphQL object type name. */
export const TYPENAME_OF_KIND = Object.fromEntries([...KIND_INFO].map(([kind, info]) => [kind, info.typename])) as Record<JobKind, string>;

/** How messages name each provider. */
export const PROVIDER_LABELS = Object.fromEntries(DESCRIPTORS.map((descriptor) => [descriptor.provider, descriptor.label])) as Record<Provider, string>;

/** The provider of a kind. */
export function providerOf(kind: JobKind): Provider {
  return PROVIDER_OF_KIND[kind];
}

/** The descriptor of a provider. */
export function descriptorOf(provider: Provider): ProviderDescriptor {
  return BY_PROVIDER.get(provider)!;
}

/** The kinds each provider serves, in a stable order. */
export function kindsOf(provider: Provider): JobKind[] {
  return descriptorOf(provider).kinds.map((info) => info.kind);
}

/** Maps the contract's state table: provider word → state and done; an unknown word is `UNKNOWN`, not done. */
export function stateOf(provider: Provider, rawStatus: string): { state: JobState; done: boolean } {
  return descriptorOf(provider).states[rawStatus] ?? { state: 'UNKNOWN', done: false };
}

/** How config reads one provider's accounts: the descriptor's account setup, with variable names only. */
export interface ProviderSetup<F extends string = string> {
  readonly provider: Provider;
  /** The key of this provider's accounts in the JOBS_CONFIG file. */
  readonly fileKey: string;
  /** The environment variable of each field, for account `default`. */
  readonly env: Readonly<Record<F, string>>;
  /** Fields whose values join `Config.secrets` (and which builders never echo). */
  readonly secretFields: readonly F[];
  build(name: string, fields: Fields<F>, at: Origin): AccountConfig | undefined;
}

/** Every provider's account setup, in descriptor order. */
export const PROVIDER_SETUPS: readonly ProviderSetup[] = DESCRIPTORS.map((descriptor) => {
  const { fileKey, env, secretFields, build } = descriptor.account as ProviderDescriptor['account'];
  const names = Object.fromEntries(Object.entries(env).map(([field, variable]) => [field, variable.name]));
  return { provider: descriptor.provider, fileKey, env: names, secretFields, build };
});

/** Every provider's environment variables, for the env table (descriptor order, fields in declaration order). */
export const PROVIDER_ENV: ReadonlyArray<AccountEnvVar<ProviderEnvName>> = DESCRIPTORS.flatMap(
  (descriptor) => Object.values(descriptor.account.env) as AccountEnvVar<ProviderEnvName>[],
);

/** The domain's `KindCatalog` port, filled from the descriptors. */
export const providerCatalog: KindCatalog = { providerOf, labelOf: (provider) => PROVIDER_LABELS[provider] };

/**
 * Creates the client for one account. Each client owns its concurrency limit, so create one per
 * account and share it: the bound on calls in flight holds across all of its callers.
 */
export function createProviderClient(account: AccountConfig, deps: UpstreamDeps): ProviderClient {
  return descriptorOf(account.provider).createClient(account, deps);
}
