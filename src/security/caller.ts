/**
 * Who is asking, and which providers' jobs they may read.
 *
 * An API key may be limited to some providers (`JOBS_CONFIG` `apiKeys[].providers`). A ref the
 * caller may not read is answered for that ref alone, as a `ProviderError` with code
 * `UNAUTHORIZED`, and never reaches the status store: a scoped key cannot even make the service
 * ask another provider.
 */
import { type JobLoader, type LoadedAnswers, createJobLoader } from '../jobs/job-loader.js';
import { jobFailure } from '../jobs/failures.js';
import type { JobFailure, JobOutcome, JobRef, Provider } from '../jobs/model.js';

/** What an API key may do: read jobs, track them, start ImageKit jobs, manage webhooks. */
export const CAPABILITIES = ['read', 'track', 'start', 'webhooks'] as const;
export type Capability = (typeof CAPABILITIES)[number];
/** A `JOBS_CONFIG` key without `can`. */
export const DEFAULT_CAPABILITIES: readonly Capability[] = ['read', 'track'];
import { PROVIDER_OF_KIND } from '../providers/catalog.js';
import type { StatusStore } from '../jobs/status-store.js';

export interface Caller {
  /** The API key's name (`key1`…, or the name in `JOBS_CONFIG`): safe to log. Null when the API is open. */
  readonly keyName: string | null;
  /** The providers whose jobs this caller may read; null: every provider. */
  readonly providers: ReadonlySet<Provider> | null;
  /** What the caller may do (`JOBS_CONFIG` `can`); an open API and `API_KEYS` keys: everything. */
  readonly can: ReadonlySet<Capability>;
}

/** Everyone, when no API key is configured. */
export const OPEN_CALLER: Caller = { keyName: null, providers: null, can: new Set(CAPABILITIES) };

/** Who a caller is, as far as what it may see goes: equal for callers that see the same results. */
export function audienceOf(caller: Caller): string {
  // Asked on every request: a caller (one per API key) is made once and never changes.
  let audience = audiences.get(caller);
  if (audience === undefined) {
    audience = `${caller.keyName ?? ''}:${caller.providers ? [...caller.providers].sort().join(',') : '*'}:${[...caller.can].sort().join(',')}`;
    audiences.set(caller, audience);
  }
  return audience;
}

const audiences = new WeakMap<Caller, string>();

/** Nobody: what a context gets when no caller was established (a wiring fault), so that it fails closed. */
export const NO_CALLER: Caller = { keyName: null, providers: new Set(), can: new Set() };

/** Whether the caller may do `capability`. */
export function mayDo(caller: Caller, capability: Capability): boolean {
  return caller.can.has(capability);
}

/** The providers the caller may read, as a list; undefined: all. */
export function visibleProviders(caller: Caller): Provider[] | undefined {
  return caller.providers ? [...caller.providers] : undefined;
}

/** Whether the caller may read jobs of `provider`. */
export function mayRead(caller: Caller, provider: Provider): boolean {
  return caller.providers === null || caller.providers.has(provider);
}

/** The answer for a ref the caller may not read. */
export function deniedFailure(ref: JobRef, checkedAt: Date): JobFailure {
  const provider = PROVIDER_OF_KIND[ref.kind];
  return jobFailure(ref, 'UNAUTHORIZED', `This API key may not read ${provider} jobs`, checkedAt);
}

/** Splits refs into those the caller may read and those it may not, each list in input order. */
export function partitionRefs(caller: Caller, refs: readonly JobRef[]): { allowed: JobRef[]; denied: JobRef[] } {
  const allowed: JobRef[] = [];
  const denied: JobRef[] = [];
  for (const ref of refs) (mayRead(caller, PROVIDER_OF_KIND[ref.kind]) ? allowed : denied).push(ref);
  return { allowed, denied };
}

/**
 * The per-request loader, limited to what the caller may read: denied refs are answered at once,
 * the rest go to the store in one batch as before.
 */
export function callerJobLoader(store: StatusStore, caller: Caller, now: () => Date, answers?: LoadedAnswers): JobLoader {
  if (caller.providers === null) return createJobLoader(store, answers);
  return createJobLoader({
    async load(refs: readonly JobRef[]): Promise<JobOutcome[]> {
      const { allowed } = partitionRefs(caller, refs);
      const loaded = allowed.length > 0 ? await store.load(allowed) : [];
      let next = 0;
      return refs.map((ref) => (mayRead(caller, PROVIDER_OF_KIND[ref.kind]) ? loaded[next++]! : deniedFailure(ref, now())));
    },
  }, answers);
}
