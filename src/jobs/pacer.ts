/**
 * The per-account pacer: upstream calls of one account are spread to what the provider advertises
 * (and to an optional configured ceiling, the lower wins), instead of waiting for a 429.
 *
 * Each account keeps a log of the turns it granted; a turn is granted only while fewer than the
 * limit were granted in the last window (a sliding window: never more than the limit in any
 * window, whichever way the provider counts), and while the `remaining` the provider last reported
 * (less what was granted since) is above zero until its reset. Background polls leave a reserve
 * share of every window to queries and never take a turn while a query waits, so that queries keep
 * priority. A query waits for a turn at most `queueMs`; past that it is shed (the caller answers
 * `RATE_LIMITED` with the expected wait) rather than queued without bound.
 *
 * Until an account's first answer, polls probe its limit one call at a time; an account that advertises
 * none and has no ceiling is not paced (the clients' concurrency bound still holds).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Clock } from '../clock.js';
import type { AdvertisedLimit } from './ports.js';

/** Who asks: a query (waits, has priority) or a background poll (takes only what queries leave). */
export type Priority = 'query' | 'poll';

/** A query's turn: granted, or shed with the wait the caller should report. */
export type Turn = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

export interface PacerOptions {
  readonly clock: Clock;
  /** Share of each window kept for queries (polls take the rest); default 0.2. */
  readonly reserveShare?: number;
  /**
   * The event loop's recent delay in ms, added to each window's margin; default: measured
   * (`recentLoopDelay`). Tests give a fixed one.
   */
  readonly loopDelayMs?: () => number;
}

/** One account's budget and its use, for `/metrics`. */
export interface BudgetUse {
  readonly accountKey: string;
  /** Calls allowed per minute (the advertised limit scaled to a minute, or the ceiling, the lower); null: unknown. */
  readonly perMinute: number | null;
  /** Turns granted in the last minute. */
  readonly usedLastMinute: number;
  /** Query turns refused since start. */
  readonly shed: number;
}

const MINUTE_MS = 60_000;
/** Most grants remembered per account: more than any limit we pace to needs. */
const MAX_LOGGED = 100_000;

interface Waiter {
  readonly deadline: number;
  resolve(turn: Turn): void;
}

interface Account {
  readonly key: string;
  /** `maxRequestsPerMinute`: a ceiling over a rolling minute. */
  ceiling: number | null;
  advertised: AdvertisedLimit | null;
  /** What the provider said remains, less the turns granted since, until `resetAt`. */
  remaining: number | null;
  resetAt: number | null;
  /** When each granted turn was taken, oldest first; kept for the longest window. */
  granted: number[];
  readonly waiting: Waiter[];
  timer: NodeJS.Timeout | null;
  shed: number;
  /** Turns granted whose answer has not been observed yet. */
  inFlight: number;
  /** Whether any answer was observed: until then its limit is unknown, so polls probe it one call at a time. */
  learned: boolean;
}

/**
 * The provider counts a call when it arrives, a little after we grant it, and arrival delays vary:
 * each window is taken this much longer, so that no window of the provider's sees one call too many.
 * A busy event loop delays calls between their turn and the socket by its own delay, which varies
 * from call to call: that is added too (at most `MAX_LOOP_MARGIN_MS`).
 */
const WINDOW_MARGIN_MS = 50;
const WINDOW_MARGIN_SHARE = 0.02;
const MAX_LOOP_MARGIN_MS = 1000;
/** How long one reading of the event loop's delay stands. */
const LOOP_DELAY_WINDOW_MS = 1000;

/**
 * The event loop's delay over the last second or so (its p99, in ms), measured by Node's own
 * histogram; read lazily, no timer of ours.
 */
function recentLoopDelay(): () => number {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let readAt = performance.now();
  let delayMs = 0;
  return () => {
    const now = performance.now();
    if (now - readAt >= LOOP_DELAY_WINDOW_MS) {
      // The histogram counts from the timer's resolution up: what is above it is delay.
      delayMs = histogram.count > 0 ? Math.max(0, histogram.percentile(99) / 1e6 - 10) : 0;
      histogram.reset();
      readAt = now;
    }
    return delayMs;
  };
}

/** The process's one reading of its event loop, shared by every pacer. */
let processLoopDelay: (() => number) | null = null;
/** How often a call waiting for an account's first answer looks again. */
const PROBE_RETRY_MS = 20;

export class Pacer {
  private readonly accounts = new Map<string, Account>();
  private readonly reserveShare: number;

  private readonly loopDelayMs: () => number;

  constructor(private readonly options: PacerOptions) {
    this.reserveShare = options.reserveShare ?? 0.2;
    this.loopDelayMs = options.loopDelayMs ?? (processLoopDelay ??= recentLoopDelay());
  }

  /** A window of the provider's as this pacer keeps it: longer by the margins. */
  private paced(windowMs: number): number {
    return windowMs * (1 + WINDOW_MARGIN_SHARE) + WINDOW_MARGIN_MS + Math.min(MAX_LOOP_MARGIN_MS, Math.max(0, this.loopDelayMs()));
  }

  /** Sets an account's configured ceiling (`maxRequestsPerMinute`); null: none. */
  configure(accountKey: string, maxRequestsPerMinute: number | null): void {
    this.account(accountKey).ceiling = maxRequestsPerMinute;
  }

  /**
   * Learns what the provider advertised on its latest answer. `othersInFlight`: calls granted and
   * not answered yet, which the provider may not have counted: subtracted, to stay on the safe side.
   */
  observe(accountKey: string, advertised: AdvertisedLimit | null | undefined, othersInFlight = 0): void {
    const account = this.account(accountKey);
    account.inFlight = Math.max(0, account.inFlight - 1);
    account.learned = true;
    this.learn(account, advertised, othersInFlight);
    if (account.waiting.length > 0) this.pump(account);
  }

  private learn(account: Account, advertised: AdvertisedLimit | null | undefined, othersInFlight: number): void {
    if (!advertised) return;
    const previous = account.advertised;
    if (previous && previous.at > advertised.at) return;
    account.advertised = advertised;
    if (advertised.remaining === null) return;
    const reported = Math.max(0, advertised.remaining - othersInFlight);
    const resetAt = advertised.resetAt ?? advertised.at + advertised.windowMs;
    // A new window (a later reset) starts over from what was reported; within one, only lower.
    const newWindow = account.resetAt === null || resetAt > account.resetAt + 1000 || this.options.clock.now() >= account.resetAt;
    account.remaining = newWindow || account.remaining === null ? reported : Math.min(account.remaining, reported);
    account.resetAt = resetAt;
  }

  /** Takes a turn now if one is free for this priority; polls never wait. */
  tryTake(accountKey: string, priority: Priority, now = this.options.clock.now()): boolean {
    if (this.waitMs(accountKey, priority, now) > 0) return false;
    this.grant(this.account(accountKey), now);
    return true;
  }

  /** How long until a turn may be free for this priority; 0: now. */
  waitMs(accountKey: string, priority: Priority, now = this.options.clock.now()): number {
    const account = this.accounts.get(accountKey);
    if (!account) return 0;
    // Queries never wait for the probe: a slow first answer must not shed them.
    if (priority === 'poll' && !account.learned && account.inFlight > 0 && account.ceiling === null) return PROBE_RETRY_MS;
    let wait = 0;
    for (const { limit, windowMs: advertisedMs } of this.limitsOf(account)) {
      const windowMs = this.paced(advertisedMs);
      const cap = priority === 'query' ? limit : this.pollShare(limit);
      const recent = countSince(account.granted, now - windowMs);
      if (recent >= cap) {
        // The turn frees when the oldest of the `cap` latest grants leaves the window.
        const oldest = account.granted[account.granted.length - cap]!;
        wait = Math.max(wait, oldest + windowMs - now);
      }
    }
    if (account.remaining !== null && account.resetAt !== null && now < account.resetAt) {
      const reserve = priority === 'query' || !account.advertised ? 0 : account.advertised.limit - this.pollShare(account.advertised.limit);
      if (account.remaining <= reserve) wait = Math.max(wait, account.resetAt - now);
    }
    if (priority === 'poll' && account.waiting.length > 0) wait = Math.max(wait, 1);
    return Math.max(0, Math.ceil(wait));
  }

  /**
   * A query's turn: at once when free, otherwise after waiting at most `maxWaitMs` (first come,
   * first served), otherwise refused with the wait still expected.
   */
  acquire(accountKey: string, maxWaitMs: number): Promise<Turn> {
    const account = this.accounts.get(accountKey);
    const now = this.options.clock.now();
    if (!account || (account.waiting.length === 0 && this.tryTake(accountKey, 'query', now))) return Promise.resolve({ ok: true });
    const waitMs = this.waitMs(accountKey, 'query', now);
    if (waitMs > maxWaitMs) return Promise.resolve(this.refuse(account, waitMs));
    return new Promise<Turn>((resolve) => {
      account.waiting.push({ deadline: now + maxWaitMs, resolve });
      this.pump(account);
    });
  }

  /** Every account's budget and use, for `/metrics`. */
  budgets(): BudgetUse[] {
    const now = this.options.clock.now();
    return [...this.accounts].map(([accountKey, account]) => {
      const perMinute = this.limitsOf(account).map(({ limit, windowMs }) => (limit * MINUTE_MS) / Math.max(windowMs, 1));
      return {
        accountKey,
        perMinute: perMinute.length ? Math.floor(Math.min(...perMinute)) : null,
        usedLastMinute: countSince(account.granted, now - MINUTE_MS),
        shed: account.shed,
      };
    });
  }

  /** Refuses every waiting query and drops the timers (shutdown). */
  stop(): void {
    for (const account of this.accounts.values()) {
      if (account.timer) clearTimeout(account.timer);
      account.timer = null;
      for (const waiter of account.waiting.splice(0)) waiter.resolve({ ok: false, retryAfterMs: 1000 });
    }
  }

  /** Grants waiting queries their turns in order, sheds those past their deadline, and sets the timer for the rest. */
  private pump(account: Account): void {
    if (account.timer) clearTimeout(account.timer);
    account.timer = null;
    const now = this.options.clock.now();
    while (account.waiting.length > 0) {
      const wait = this.waitMs(account.key, 'query', now);
      const head = account.waiting[0]!;
      if (wait === 0) {
        account.waiting.shift();
        this.grant(account, now);
        head.resolve({ ok: true });
        continue;
      }
      if (now + wait > head.deadline) {
        // Its turn would come after its deadline: answer now, not at the deadline.
        account.waiting.shift();
        head.resolve(this.refuse(account, wait));
        continue;
      }
      account.timer = setTimeout(() => this.pump(account), wait);
      return;
    }
  }

  private refuse(account: Account, waitMs: number): Turn {
    account.shed += 1;
    return { ok: false, retryAfterMs: Math.max(1, waitMs) };
  }

  private grant(account: Account, now: number): void {
    account.inFlight += 1;
    // Logged even before a limit is known: the first answers' limit counts the calls already made.
    account.granted.push(now);
    if (account.remaining !== null && account.resetAt !== null && now < account.resetAt) account.remaining -= 1;
    // Keep what the longest window needs, and no more than its limit's worth.
    const longest = this.paced(Math.max(MINUTE_MS, ...this.limitsOf(account).map(({ windowMs }) => windowMs))) + MAX_LOOP_MARGIN_MS;
    const drop = account.granted.length - countSince(account.granted, now - longest);
    if (drop > 0) account.granted.splice(0, drop);
    if (account.granted.length > MAX_LOGGED) account.granted.splice(0, account.granted.length - MAX_LOGGED);
  }

  /** The limits that apply: the advertised one per its window, the ceiling per minute. */
  private limitsOf(account: Account): Array<{ limit: number; windowMs: number }> {
    const limits: Array<{ limit: number; windowMs: number }> = [];
    if (account.advertised && account.advertised.limit > 0) limits.push({ limit: account.advertised.limit, windowMs: account.advertised.windowMs });
    if (account.ceiling !== null && account.ceiling > 0) limits.push({ limit: account.ceiling, windowMs: MINUTE_MS });
    return limits;
  }

  /** Turns polls may take of a limit: all but the reserve, at least one. */
  private pollShare(limit: number): number {
    return Math.max(1, limit - Math.max(1, Math.ceil(limit * this.reserveShare)));
  }

  private account(key: string): Account {
    let account = this.accounts.get(key);
    if (!account) {
      account = { key, ceiling: null, advertised: null, remaining: null, resetAt: null, granted: [], waiting: [], timer: null, shed: 0, inFlight: 0, learned: false };
      this.accounts.set(key, account);
    }
    return account;
  }
}

/** How many of the sorted times are after `since`. */
function countSince(times: readonly number[], since: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (times[mid]! > since) high = mid;
    else low = mid + 1;
  }
  return times.length - low;
}
