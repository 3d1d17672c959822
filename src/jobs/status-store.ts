/**
 * The status store: the one place upstream statuses are asked for and remembered.
 *
 * Queries (through per-request DataLoaders) and the poller both come here, so that
 * - concurrent asks for the same job share one upstream call (single-flight),
 * - a non-terminal status is reused for `ttlMs`, a done one for `doneTtlMs`, and (when
 *   `staleMs` is set) a running job's expired status is still answered for `staleMs` while one
 *   refresh runs in the background, so that expiry never puts an upstream round on the request path,
 * - an account that answered 429 is left alone until its reset, whoever asks (a 429 without a
 *   requested wait backs off on its own, exponentially from 1 s),
 * - each account's calls are paced to its advertised limit (`pacer.ts`): a query's ref that cannot
 *   get an upstream turn within `queueMs` answers `RATE_LIMITED` at once, never queued unboundedly.
 *
 * In a cluster a shared level (Redis) sits behind the in-process cache: consulted on a local miss
 * before asking upstream, written after every upstream answer with the same TTL rules, and the
 * source of pauses other instances were told about. Single-flight stays per process.
 */
import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock.js';
import { jobFailure } from './failures.js';
import { Pacer } from './pacer.js';
import type { KindCatalog, ProviderClient, SharedPauses, SharedStatus, SharedStatuses } from './ports.js';
import {
  type JobFailure,
  type JobKind,
  type JobOutcome,
  type JobRef,
  type Provider,
  MAX_PROVIDER_WAIT_MS,
  accountKey,
  isFailure,
  refKey,
} from './model.js';

/** How statuses are remembered (`Config.cache`). */
export interface CacheOptions {
  /** `CACHE_TTL_MS`, default 1000: how long a non-terminal status (and a not-found answer) is reused. */
  readonly ttlMs: number;
  /** `DONE_CACHE_TTL_MS`, default 600000: how long a done status is reused. */
  readonly doneTtlMs: number;
  /**
   * `CACHE_STALE_MS`, default 0 (off): stale-while-revalidate. For this long after it expired, a
   * running job's status is answered at once while one refresh runs in the background. 0 or
   * omitted: off. Errors, not-found and done statuses are never served stale.
   */
  readonly staleMs?: number;
  /** `CACHE_MAX_ENTRIES`, default 50000: upper bound on remembered jobs; the least recently used are forgotten first. */
  readonly maxEntries: number;
}

export interface StatusStoreOptions {
  readonly clients: readonly ProviderClient[];
  /** Which provider serves each kind, and how messages name it (`providers/catalog.ts`'s `providerCatalog`). */
  readonly catalog: KindCatalog;
  readonly clock: Clock;
  readonly cache: CacheOptions;
  /** Called for the refs asked, for metrics: once per ref, or once with `count` for refs answered alike. */
  readonly onLookup?: (result: LookupResult, count?: number) => void;
  /** The cluster's status cache, behind the in-process one; none: this process alone. */
  readonly sharedStatuses?: SharedStatuses;
  /** The cluster's rate-limit pauses; none: this process's own only. */
  readonly sharedPauses?: SharedPauses;
  /** Paces upstream calls per account; a new one (fed by the clients' advertised limits) if omitted. */
  readonly pacer?: Pacer;
  /** `UPSTREAM_QUEUE_MS`: longest wait of a query's call for an upstream turn; default 2000. */
  readonly queueMs?: number;
  /** Called once per upstream call shed (its refs answered `RATE_LIMITED` without asking), for metrics. */
  readonly onShed?: (provider: Provider, account: string) => void;
}

/** `UPSTREAM_QUEUE_MS`'s default. */
export const DEFAULT_QUEUE_MS = 2000;

/** A 429 without a requested wait pauses its account for 1 s, doubling on each in a row, up to a minute. */
const RATE_LIMIT_BACKOFF_MS = 1000;
const RATE_LIMIT_BACKOFF_MAX_MS = 60_000;

/**
 * How the store answered one ref: `hit`, fresh from memory; `stale`, expired but within `staleMs`
 * (a refresh runs behind it); `miss`, asked of the shared level or upstream; `coalesced`, joined
 * an ask in flight.
 */
export type LookupResult = 'hit' | 'stale' | 'miss' | 'coalesced';

/** One remembered answer; the same shape the shared level keeps. */
type Entry = SharedStatus;

/** One remembered answer, as `answerToken` hands it out: opaque to everyone but the store. */
export interface AnswerToken {
  readonly key: string;
  readonly entry: Entry;
}

/** A ref whose answer is being fetched, and how to deliver it. */
interface Pending {
  readonly ref: JobRef;
  resolve(outcome: JobOutcome): void;
}

export class StatusStore {
  private readonly clients = new Map<string, ProviderClient>();
  private readonly entries: LRUCache<string, Entry>;
  private readonly inflight = new Map<string, Promise<JobOutcome>>();
  /** Account key → epoch ms until which the account must not be asked. */
  private readonly pausedUntil = new Map<string, number>();
  /** Account key → 429s without a requested wait in a row (the backoff's exponent). */
  private readonly strikes = new Map<string, number>();
  /** Account key → upstream calls in flight. */
  private readonly calling = new Map<string, number>();
  /** Each account's upstream turns; the poller asks it before polling. */
  readonly pacer: Pacer;

  constructor(private readonly options: StatusStoreOptions) {
    this.pacer = options.pacer ?? new Pacer({ clock: options.clock });
    for (const client of options.clients) {
      const key = accountKey(client.provider, client.account);
      this.clients.set(key, client);
      this.pacer.configure(key, client.maxRequestsPerMinute ?? null);
    }
    this.entries = new LRUCache({ max: options.cache.maxEntries });
  }

  /** How many ids one upstream call for this ref's account and kind carries (1 when not configured). */
  batchSizeFor(ref: JobRef): number {
    const client = this.clients.get(this.accountKeyOf(ref));
    return client && client.kinds.includes(ref.kind) ? client.batchSize : 1;
  }

  /** The account key (`ZENDESK:default`) of a ref, as the pacer and pauses know accounts. */
  accountKeyOf(ref: JobRef): string {
    return accountKey(this.options.catalog.providerOf(ref.kind), ref.account);
  }

  /** The configured accounts, in configuration order. */
  accounts(): ProviderClient[] {
    return [...this.clients.values()];
  }

  /**
   * Answers every ref, in order. Fresh remembered answers are served as they are; the rest are
   * asked upstream (joining any ask already in flight for the same job).
   */
  load(refs: readonly JobRef[]): Promise<JobOutcome[]> {
    return Promise.all(this.answer(refs, 'any'));
  }

  /**
   * Like `load`, but skips this process's remembered answers: the shared level's (the cluster's
   * latest) are taken, the rest asked upstream. For catching up after this process lost touch
   * with the cluster, when its own memory may be behind.
   */
  reload(refs: readonly JobRef[]): Promise<JobOutcome[]> {
    return Promise.all(this.answer(refs, 'shared'));
  }

  /**
   * Like `load`, but ignores remembered answers: for the poller, whose whole point is a new answer.
   * An ask already in flight is still joined, since it is at least as new as one we would start.
   */
  refresh(refs: readonly JobRef[]): Promise<JobOutcome[]> {
    return Promise.all(this.refreshEach(refs));
  }

  /**
   * `refresh`, one promise per ref, each settled as soon as its own upstream call returns: the
   * poller publishes a Zendesk change without waiting for the slowest ImageKit call of the tick.
   */
  refreshEach(refs: readonly JobRef[], { paced = false }: { paced?: boolean } = {}): Promise<JobOutcome>[] {
    return this.answer(refs, 'none', paced);
  }

  /** The last remembered answer, fresh or not, without asking anyone. */
  peek(ref: JobRef): JobOutcome | undefined {
    return this.entries.peek(refKey(ref))?.outcome;
  }

  /**
   * Whether `outcome` is this process's remembered answer for `ref`, and if so a token that
   * `stillAnswers` can check later. Every new answer is a new entry, so a token stands for one
   * answer: the poller's next one, or an expiry, makes it stale. Null for an answer the store does
   * not remember (provider trouble, a ref the caller may not read, one already replaced).
   */
  answerToken(ref: JobRef, outcome: JobOutcome): AnswerToken | null {
    const key = refKey(ref);
    const entry = this.entries.peek(key);
    return entry && entry.outcome === outcome ? { key, entry } : null;
  }

  /**
   * Whether a `load` of the tokens' refs would answer exactly the tokens' answers at once: each
   * is still the remembered entry, unexpired. When they are, they count as hits (and as recently
   * used), as the `load` they stand in for would have.
   */
  stillAnswers(tokens: readonly AnswerToken[]): boolean {
    const now = this.options.clock.now();
    for (const { key, entry } of tokens) {
      if (entry.expiresAt <= now || this.entries.get(key) !== entry) return false;
    }
    if (tokens.length > 0) this.options.onLookup?.('hit', tokens.length);
    return true;
  }

  /**
   * Milliseconds an account must still be left alone after a 429; 0 when it may be asked.
   * Pauses other instances set are known here once `syncPauses` (or an ask) has read them.
   */
  pauseRemainingMs(provider: Provider, account: string): number {
    const until = this.pausedUntil.get(accountKey(provider, account)) ?? 0;
    return Math.max(0, until - this.options.clock.now());
  }

  /** `pauseRemainingMs` for the account of a ref. */
  pauseRemainingFor(ref: JobRef): number {
    return this.pauseRemainingMs(this.options.catalog.providerOf(ref.kind), ref.account);
  }

  /**
   * Learns the pauses other instances set for the accounts of these refs, so that the synchronous
   * `pauseRemainingMs` sees them. Resolves at once without a shared level; never rejects.
   */
  async syncPauses(refs: readonly JobRef[]): Promise<void> {
    const shared = this.options.sharedPauses;
    if (!shared) return;
    const keys = new Set(refs.map((ref) => accountKey(this.options.catalog.providerOf(ref.kind), ref.account)));
    this.learnPauses(await shared.read([...keys]).catch(() => new Map<string, number>()));
  }

  /** Remembered jobs, for tests and metrics. */
  get size(): number {
    return this.entries.size;
  }

  /** `remembered`: which remembered answers may serve: both levels, the shared one only, or none. */
  /** `paced`: the caller already took the upstream turns (the poller); otherwise each call waits for one, within `queueMs`. */
  private answer(refs: readonly JobRef[], remembered: Remembered, paced = false): Promise<JobOutcome>[] {
    const now = this.options.clock.now();
    const toFetch = new Map<string, Pending[]>();
    const ask = (ref: JobRef): Promise<JobOutcome> => {
      const promise = new Promise<JobOutcome>((resolve) => {
        const group = groupKey(ref);
        const pending = toFetch.get(group) ?? [];
        pending.push({ ref, resolve });
        toFetch.set(group, pending);
      });
      this.inflight.set(refKey(ref), promise);
      return promise;
    };
    const answers = refs.map((ref) => {
      const key = refKey(ref);
      const cached = remembered === 'any' ? this.entries.get(key) : undefined;
      if (cached && cached.expiresAt > now) {
        this.options.onLookup?.('hit');
        return Promise.resolve(cached.outcome);
      }
      if (cached && this.servesStale(cached, now)) {
        this.options.onLookup?.('stale');
        if (!this.inflight.has(key)) void ask(ref);
        return Promise.resolve(cached.outcome);
      }
      const joined = this.inflight.get(key);
      if (joined) {
        this.options.onLookup?.('coalesced');
        return joined;
      }
      this.options.onLookup?.('miss');
      return ask(ref);
    });
    for (const pending of toFetch.values()) void this.fetchGroup(pending, remembered === 'none', paced);
    return answers;
  }

  /**
   * Asks one account for one kind of job; every pending ref is resolved, whatever happens.
   * With a shared level, what another instance fetched recently is served first (unless the
   * caller wants a new answer), and pauses other instances were told about are honoured.
   */
  private async fetchGroup(pending: Pending[], fresh: boolean, paced: boolean): Promise<void> {
    const first = pending[0]!.ref;
    const provider = this.options.catalog.providerOf(first.kind);
    const label = this.options.catalog.labelOf(provider);
    const client = this.clients.get(accountKey(provider, first.account));
    if (!client || !client.kinds.includes(first.kind)) {
      this.settle(pending, new Map(pending.map(({ ref }) => [ref.nativeId, notConfigured(ref, label, this.now())])));
      return;
    }
    const rest = await this.answerShared(pending, provider, fresh);
    if (rest.length === 0) return;
    const waitMs = this.pauseRemainingMs(provider, first.account);
    if (waitMs > 0) {
      this.settle(rest, new Map(rest.map(({ ref }) => [ref.nativeId, rateLimitPause(ref, label, waitMs, this.now())])));
      return;
    }
    const batches: Pending[][] = [];
    for (let start = 0; start < rest.length; start += client.batchSize) batches.push(rest.slice(start, start + client.batchSize));
    await Promise.all(
      batches.map(async (batch) => {
        const turn = paced ? ({ ok: true } as const) : await this.pacer.acquire(accountKey(provider, first.account), this.options.queueMs ?? DEFAULT_QUEUE_MS);
        if (!turn.ok) {
          this.options.onShed?.(provider, first.account);
          this.settle(batch, new Map(batch.map(({ ref }) => [ref.nativeId, shed(ref, label, turn.retryAfterMs, this.now())])));
          return;
        }
        this.settle(batch, await this.fetchFrom(client, first.kind, batch), true);
      }),
    );
  }

  /**
   * Resolves what the shared level knows and learns the account's shared pause, in one round trip
   * (the Redis client pipelines them); answers the refs still to ask upstream.
   */
  private async answerShared(pending: Pending[], provider: Provider, fresh: boolean): Promise<Pending[]> {
    const { sharedStatuses, sharedPauses } = this.options;
    if (!sharedStatuses && !sharedPauses) return pending;
    const account = accountKey(provider, pending[0]!.ref.account);
    const noStatuses: ReadonlyMap<string, SharedStatus> = new Map();
    // The shared level promises never to reject; should one anyway, its answer is a miss.
    const [known, pauses] = await Promise.all([
      fresh || !sharedStatuses ? noStatuses : sharedStatuses.read(pending.map(({ ref }) => refKey(ref))).catch(() => noStatuses),
      sharedPauses ? sharedPauses.read([account]).catch(() => new Map<string, number>()) : new Map<string, number>(),
    ]);
    this.learnPauses(pauses);
    const now = this.options.clock.now();
    const rest: Pending[] = [];
    for (const item of pending) {
      const shared = known.get(refKey(item.ref));
      if (shared && shared.expiresAt > now) {
        this.entries.set(refKey(item.ref), shared);
        this.inflight.delete(refKey(item.ref));
        item.resolve(shared.outcome);
      } else {
        rest.push(item);
      }
    }
    return rest;
  }

  /** Remembers and delivers each pending ref's outcome; `share`: also tell the other instances. */
  private settle(pending: Pending[], outcomes: Map<string, JobOutcome>, share = false): void {
    for (const { ref, resolve } of pending) {
      const outcome = outcomes.get(ref.nativeId) ?? unexpected(ref, this.now());
      this.remember(ref, outcome, share);
      this.inflight.delete(refKey(ref));
      resolve(outcome);
    }
  }

  /** A pause read from the shared level is bounded like our own: one written before the bound existed may be years long. */
  private learnPauses(pauses: ReadonlyMap<string, number>): void {
    const latest = this.options.clock.now() + MAX_PROVIDER_WAIT_MS;
    for (const [key, written] of pauses) {
      const until = Math.min(written, latest);
      if (until > (this.pausedUntil.get(key) ?? 0)) this.pausedUntil.set(key, until);
    }
  }

  private async fetchFrom(client: ProviderClient, kind: JobKind, pending: Pending[]): Promise<Map<string, JobOutcome>> {
    const key = accountKey(client.provider, client.account);
    this.calling.set(key, (this.calling.get(key) ?? 0) + 1);
    try {
      const outcomes = await client.fetchStatuses(kind, pending.map(({ ref }) => ref.nativeId));
      return this.notePause(client, outcomes);
    } catch {
      // Clients promise never to reject; if one does anyway, its jobs fail and nothing else does.
      return new Map();
    } finally {
      const others = (this.calling.get(key) ?? 1) - 1;
      this.calling.set(key, others);
      // What the provider advertised on this answer; calls still in flight may not be counted in it yet.
      this.pacer.observe(key, client.rateLimit?.(), others);
    }
  }

  /**
   * A 429 for any job of an account pauses the whole account until the provider's reset; one
   * without a requested wait backs off on its own (1 s, doubling on each in a row, up to a
   * minute), and its refs say how long. Answers the outcomes, with those waits filled in.
   */
  private notePause(client: ProviderClient, outcomes: Map<string, JobOutcome>): Map<string, JobOutcome> {
    const key = accountKey(client.provider, client.account);
    let waitMs = 0;
    let unannounced = false;
    for (const outcome of outcomes.values()) {
      if (!isFailure(outcome) || outcome.failure !== 'RATE_LIMITED') continue;
      if (outcome.retryAfterMs === null) unannounced = true;
      waitMs = Math.max(waitMs, outcome.retryAfterMs ?? 0);
    }
    if (unannounced) {
      const strikes = this.strikes.get(key) ?? 0;
      this.strikes.set(key, strikes + 1);
      const backoffMs = Math.min(RATE_LIMIT_BACKOFF_MAX_MS, RATE_LIMIT_BACKOFF_MS * 2 ** strikes);
      waitMs = Math.max(waitMs, backoffMs);
      for (const [id, outcome] of outcomes) {
        if (isFailure(outcome) && outcome.failure === 'RATE_LIMITED' && outcome.retryAfterMs === null) {
          outcomes.set(id, { ...outcome, retryAfterMs: backoffMs });
        }
      }
    } else if (waitMs <= 0 && outcomes.size > 0) {
      this.strikes.delete(key);
    }
    if (waitMs <= 0) return outcomes;
    // Clients bound the waits they report; a client that does not cannot pause an account for longer.
    waitMs = Math.min(waitMs, MAX_PROVIDER_WAIT_MS);
    const until = this.now().getTime() + waitMs;
    this.pausedUntil.set(key, until);
    this.options.sharedPauses?.write(key, until, waitMs);
    return outcomes;
  }

  private remember(ref: JobRef, outcome: JobOutcome, share: boolean): void {
    const ttl = this.ttlOf(outcome);
    if (ttl <= 0) return;
    const entry: Entry = { outcome, expiresAt: this.options.clock.now() + ttl };
    this.entries.set(refKey(ref), entry);
    if (share) this.options.sharedStatuses?.write(refKey(ref), entry, ttl);
  }

  /** An expired status still answered while it is refreshed: a running job's, within `staleMs` of expiry. */
  private servesStale(entry: Entry, now: number): boolean {
    const staleMs = this.options.cache.staleMs ?? 0;
    return staleMs > 0 && now < entry.expiresAt + staleMs && !isFailure(entry.outcome) && !entry.outcome.done;
  }

  /** Provider trouble is never remembered: the next ask should try again (pauses aside). */
  private ttlOf(outcome: JobOutcome): number {
    if (isFailure(outcome)) return outcome.failure === 'NOT_FOUND' ? this.options.cache.ttlMs : 0;
    return outcome.done ? this.options.cache.doneTtlMs : this.options.cache.ttlMs;
  }

  private now(): Date {
    return new Date(this.options.clock.now());
  }
}

type Remembered = 'any' | 'shared' | 'none';

/** Jobs fetched together: same account, same kind. */
function groupKey(ref: JobRef): string {
  return `${ref.kind}:${ref.account}`;
}

function notConfigured(ref: JobRef, label: string, at: Date): JobFailure {
  return jobFailure(ref, 'NOT_CONFIGURED', `No ${label} account named "${ref.account}" is configured`, at);
}

function rateLimitPause(ref: JobRef, label: string, waitMs: number, at: Date): JobFailure {
  const message = `${label} account "${ref.account}" is rate limited; not asking again for ${Math.ceil(waitMs / 1000)} s`;
  return jobFailure(ref, 'RATE_LIMITED', message, at, waitMs);
}

function shed(ref: JobRef, label: string, waitMs: number, at: Date): JobFailure {
  const message = `${label} account "${ref.account}" has no upstream turn free within the queue bound; try again in ${Math.ceil(waitMs / 1000)} s`;
  return jobFailure(ref, 'RATE_LIMITED', message, at, waitMs);
}

function unexpected(ref: JobRef, at: Date): JobFailure {
  return jobFailure(ref, 'BAD_RESPONSE', 'The provider gave no answer for this job', at);
}
