/**
 * What one provider module declares about itself, in one place: its kinds (with their GraphQL
 * type names and the nouns messages use), its status words and the states they map to, how its
 * accounts are configured (file key, fields, environment variables, secrets, builder) and how its
 * client is made. `catalog.ts` lists the descriptors and derives everything else from them: the
 * runtime lists of kinds and providers, the kind → provider map, the config readers' tables.
 *
 * Account types live with their provider (`zendesk/descriptor.ts`…); `AccountConfig` is their union.
 */
import type { JobKind, JobState, Provider } from '../jobs/model.js';
import type { ProviderClient } from '../jobs/ports.js';
import type { Fields, Origin } from './account-fields.js';
import type { UpstreamDeps } from './http.js';
import type { ImageKitAccount } from './imagekit/descriptor.js';
import type { SaymonAccount } from './saymon/descriptor.js';
import type { ZendeskAccount } from './zendesk/descriptor.js';

export type { ImageKitAccount } from './imagekit/descriptor.js';
export type { SaymonAccount, SaymonAuth } from './saymon/descriptor.js';
export type { ZendeskAccount, ZendeskAuth } from './zendesk/descriptor.js';

/** One configured provider account, whatever the provider. */
export type AccountConfig = ImageKitAccount | SaymonAccount | ZendeskAccount;

/** One kind of job a provider serves. */
export interface KindInfo {
  readonly kind: JobKind;
  /** The GraphQL object type of its jobs, e.g. `ZendeskJobStatus`. */
  readonly typename: string;
  /** How messages name one job of this kind: `has no job status "x"`. */
  readonly noun: string;
}

/** The contract's state table for one provider: its own word → state and whether it is final. */
export type StateTable = Readonly<Record<string, { readonly state: JobState; readonly done: boolean }>>;

/** One environment variable of account `default`, as the env table lists it. */
export interface AccountEnvVar<N extends string = string> {
  readonly name: N;
  readonly default: string;
  readonly meaning: string;
}

/** How one provider's accounts are configured, from the environment (account `default`) or the JOBS_CONFIG file. */
export interface AccountSetup<A, F extends string = string, N extends string = string> {
  /** The key of this provider's accounts in the JOBS_CONFIG file. */
  readonly fileKey: string;
  /** Each field's variable for account `default`; the file uses the field names themselves. */
  readonly env: Readonly<Record<F, AccountEnvVar<N>>>;
  /** Fields whose values join `Config.secrets` (and which builders never echo). */
  readonly secretFields: readonly F[];
  /** Checks the fields (problems go to `at`) and builds the account; undefined when something is wrong. */
  build(name: string, fields: Fields<F>, at: Origin): A | undefined;
}

export interface ProviderDescriptor<A extends AccountConfig = AccountConfig, F extends string = string, N extends string = string> {
  readonly provider: A['provider'] & Provider;
  /** How messages name the provider. */
  readonly label: string;
  readonly kinds: readonly KindInfo[];
  readonly states: StateTable;
  readonly account: AccountSetup<A, F, N>;
  /** The client of one account; each owns its concurrency limit, so make one per account and share it. */
  createClient(account: A, deps: UpstreamDeps): ProviderClient;
}
