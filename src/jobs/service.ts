/**
 * The domain assembled: one status store, one poller, one feed, sharing one pub/sub. In a
 * cluster, `sharing` puts what instances must agree on (events, who polls, statuses, pauses)
 * behind the same interfaces; without it everything stays in this process.
 */
import type { Logger } from '../logger.js';
import type { Clock } from '../clock.js';
import { createJobPubSub, type JobPubSub } from './events.js';
import { JobFeed } from './job-feed.js';
import { NotFoundGrace } from './not-found-grace.js';
import { Poller, type PollerOptions, type PollOptions } from './poller.js';
import type { KindCatalog, PollCoordinator, ProviderClient, SharedPauses, SharedStatuses } from './ports.js';
import { type CacheOptions, StatusStore, type StatusStoreOptions } from './status-store.js';

/** What this instance shares with the others of a cluster; each part left out stays in-process. */
export interface JobSharing {
  /** Job events, seen by every instance's subscribers. */
  readonly pubsub?: JobPubSub;
  /** Who polls each watched job. */
  readonly coordinator?: PollCoordinator;
  /** The status cache behind the in-process one. */
  readonly statuses?: SharedStatuses;
  /** Per-account rate-limit pauses. */
  readonly pauses?: SharedPauses;
}

export interface JobServiceOptions {
  readonly clients: readonly ProviderClient[];
  /** Kind → provider and labels, for the store (`providerCatalog`). */
  readonly catalog: KindCatalog;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly cache: CacheOptions;
  readonly poll: PollOptions;
  /** The poller's jitter source (tests pass a constant). */
  readonly random?: () => number;
  /** In memory, this process alone, when omitted. */
  readonly sharing?: JobSharing;
  /** Metrics hook: the status store's answer to each ref (see `StatusStoreOptions.onLookup`). */
  readonly onLookup?: StatusStoreOptions['onLookup'];
  /** Metrics hook: each poller refresh (see `PollerOptions.onPoll`). */
  readonly onPoll?: PollerOptions['onPoll'];
  /** `UPSTREAM_QUEUE_MS` (see `StatusStoreOptions.queueMs`). */
  readonly upstreamQueueMs?: number;
  /** Metrics hook: each upstream call shed (see `StatusStoreOptions.onShed`). */
  readonly onShed?: StatusStoreOptions['onShed'];
  /** Listener calls per turn of the event loop (see `JobFeedOptions.deliverySlice`); tests make it small. */
  readonly deliverySlice?: number;
}

export interface JobService {
  readonly store: StatusStore;
  readonly poller: Poller;
  readonly feed: JobFeed;
  /** The pub/sub every event goes through (Redis in cluster mode). */
  readonly pubsub: JobPubSub;
  /** Stops polling; open feeds end when their transports close them. */
  stop(): void;
}

export function createJobService(options: JobServiceOptions): JobService {
  const { clock } = options;
  const sharing = options.sharing ?? {};
  const pubsub = sharing.pubsub ?? createJobPubSub();
  const store = new StatusStore({
    clients: options.clients,
    catalog: options.catalog,
    clock,
    cache: options.cache,
    sharedStatuses: sharing.statuses,
    sharedPauses: sharing.pauses,
    onLookup: options.onLookup,
    queueMs: options.upstreamQueueMs,
    onShed: options.onShed,
  });
  // One judge for the poller and the feed, so that both agree on when a not found is final.
  const notFound = new NotFoundGrace({ graceMs: options.poll.notFoundGraceMs ?? 0, clock });
  const poller = new Poller({
    notFound,
    store,
    pubsub,
    clock,
    intervalMs: options.poll.intervalMs,
    maxIntervalMs: options.poll.maxIntervalMs,
    logger: options.logger,
    random: options.random,
    coordinator: sharing.coordinator,
    onPoll: options.onPoll,
  });
  const feed = new JobFeed({ store, poller, pubsub, clock, notFound, deliverySlice: options.deliverySlice });
  return {
    store,
    poller,
    feed,
    pubsub,
    stop: () => {
      poller.stop();
      store.pacer.stop();
    },
  };
}
