/**
 * Webhooks as the rest of the service uses them: the outbox hooks for the registry, the
 * dispatcher, and the operations behind the schema's mutations, with their checks.
 *
 * - Secrets: made here (`whsec_…`), answered once by create and rotate, stored only sealed
 *   (`secret-box.ts`) with the webhook's id bound as context, never logged. The sealing key is
 *   loaded on first use (`WEBHOOK_SECRET_KEY`, else the key file under `DATA_DIR`; an in-memory
 *   database gets an in-memory key, since nothing it holds survives anyway).
 * - URLs: http(s) only, no credentials, and the host must resolve to public addresses unless
 *   `WEBHOOK_ALLOW_PRIVATE=1`; checked at creation and change (a clear 4xx) and again at every
 *   attempt by `deliver.ts`.
 * - The database is the registry's: `attach` is called when the registry has opened it (again
 *   after an outage), and the dispatcher claims only while it is attached.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Provider } from '../jobs/model.js';
import type { Logger } from '../logger.js';
import type { Connection, PageArgs } from '../registry/connection.js';
import type { TrackedJobFilter } from '../registry/listing.js';
import type { Database } from '../registry/schema.js';
import type { RegistryHooks } from '../registry/tracker.js';
import { type GuardOptions, checkTarget } from './address-guard.js';
import { type Dispatcher, type DispatcherOptions, createDispatcher } from './dispatcher.js';
import type { GlobalIdOf } from './job-json.js';
import { createOutbox } from './outbox.js';
import { WEBHOOK_EVENTS, type WebhookEvent, testEventBody } from './payload.js';
import { type SecretKey, keyFromString, loadOrCreateKey, openSecret, sealSecret } from './secret-box.js';
import { ROTATION_OVERLAP_MS, newMessageId, newSecret } from './signing.js';
import * as store from './store.js';

export type { Webhook, WebhookDelivery } from './store.js';

export type WebhookErrorCode =
  /** Not an absolute http(s) URL without credentials. */
  | 'URL_INVALID'
  /** The host does not resolve, or resolves to an address that is refused. */
  | 'URL_FORBIDDEN'
  /** No events, or too long a description. */
  | 'INPUT_INVALID'
  /** No webhook of the caller has this id. */
  | 'NOT_FOUND'
  /** The database is not open (yet), or the sealing key cannot be had. */
  | 'UNAVAILABLE';

export class WebhookError extends Error {
  override readonly name = 'WebhookError';
  constructor(
    readonly code: WebhookErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isWebhookError(error: unknown): error is WebhookError {
  return error instanceof WebhookError;
}

/** Who asks: the key's name (null: open API, sees every webhook) and the providers it may read. */
export interface WebhookCaller {
  readonly owner: string | null;
  readonly providers: readonly Provider[] | null;
}

export interface WebhookInput {
  readonly url: string;
  readonly events: readonly WebhookEvent[];
  readonly filter?: TrackedJobFilter | null;
  readonly description?: string | null;
}

export interface WebhookServiceOptions {
  readonly clock: { now(): number };
  readonly logger?: Logger | undefined;
  readonly globalIdOf: GlobalIdOf;
  /** `WEBHOOK_ALLOW_PRIVATE=1`, and (tests) a resolver instead of DNS. */
  readonly guard: GuardOptions;
  /** `WEBHOOK_SECRET_KEY`. */
  readonly secretKey?: string | null | undefined;
  /** Where the key file lives; null: an in-memory key (in-memory database). */
  readonly dataDir: string | null;
  /** `WEBHOOK_DISPATCH_INTERVAL_MS`, `WEBHOOK_RETRY_DELAYS_MS` and (tests) the rest. */
  readonly dispatch?: Partial<Omit<DispatcherOptions, 'db' | 'secrets' | 'guard' | 'clock' | 'logger'>>;
  /** Delivery rows written by the outbox. */
  readonly onEnqueued?: (count: number) => void;
}

export interface WebhookService {
  /** The outbox: give these to the registry service. */
  readonly hooks: RegistryHooks;
  /** The registry opened its database: start delivering. */
  attach(db: Kysely<Database>): void;
  /** Something was written to the outbox (after its commit). */
  wake(): void;
  create(caller: WebhookCaller, input: WebhookInput): Promise<{ webhook: store.Webhook; secret: string }>;
  update(caller: WebhookCaller, id: string, patch: store.WebhookPatch): Promise<store.Webhook>;
  delete(caller: WebhookCaller, id: string): Promise<boolean>;
  rotateSecret(caller: WebhookCaller, id: string): Promise<{ webhook: store.Webhook; secret: string }>;
  list(caller: WebhookCaller): Promise<store.Webhook[]>;
  get(caller: WebhookCaller, id: string): Promise<store.Webhook | null>;
  deliveries(webhookId: string, args: PageArgs): Promise<Connection<store.WebhookDelivery>>;
  /** Writes a `webhook.test` delivery through the outbox; `publicId` is the webhook's global id (in the body). */
  sendTest(caller: WebhookCaller, id: string, publicId: string): Promise<store.WebhookDelivery>;
  queueStats(): Promise<{ depth: number; oldest: Date | null }>;
  readonly dispatcher: Dispatcher;
  close(): Promise<void>;
}

const MAX_URL_LENGTH = 2048;
const MAX_DESCRIPTION_LENGTH = 1000;

export function createWebhookService(options: WebhookServiceOptions): WebhookService {
  let db: Kysely<Database> | null = null;
  let key: Promise<SecretKey> | null = null;
  const now = () => options.clock.now();

  function database(): Kysely<Database> {
    if (!db) throw new WebhookError('UNAVAILABLE', 'Webhooks are unavailable right now (the registry database cannot be reached); try again shortly');
    return db;
  }

  function sealingKey(): Promise<SecretKey> {
    key ??= (async () => {
      if (options.secretKey) return keyFromString(options.secretKey);
      if (options.dataDir === null) return keyFromString(randomBytes(32).toString('base64'));
      const loaded = await loadOrCreateKey({ dataDir: options.dataDir });
      if (!loaded.ok) {
        key = null;
        options.logger?.error({ code: loaded.code, err: loaded.message }, 'webhook secret key unavailable');
        throw new WebhookError('UNAVAILABLE', 'Webhook secrets cannot be sealed or opened: the webhook secret key is unavailable (see the logs)');
      }
      if (loaded.key.source === 'new-file') options.logger?.info({ path: loaded.key.path }, 'webhook secret key file created');
      return loaded.key;
    })();
    return key;
  }

  async function checkUrlInput(url: string): Promise<string> {
    if (url.length > MAX_URL_LENGTH) throw new WebhookError('URL_INVALID', `the webhook URL is longer than ${MAX_URL_LENGTH} characters`);
    const checked = await checkTarget(url, options.guard);
    if (checked.ok) return checked.url.toString();
    const code = checked.code === 'FORBIDDEN_ADDRESS' || checked.code === 'UNRESOLVABLE' ? 'URL_FORBIDDEN' : 'URL_INVALID';
    throw new WebhookError(code, checked.message);
  }

  function checkEvents(events: readonly WebhookEvent[]): WebhookEvent[] {
    const unique = WEBHOOK_EVENTS.filter((event) => events.includes(event));
    if (unique.length === 0) throw new WebhookError('INPUT_INVALID', 'a webhook needs at least one event');
    return unique;
  }

  function checkDescription(description: string | null | undefined): string | null {
    if (description == null) return null;
    if (description.length > MAX_DESCRIPTION_LENGTH) throw new WebhookError('INPUT_INVALID', `the description is longer than ${MAX_DESCRIPTION_LENGTH} characters`);
    return description;
  }

  function notFound(): WebhookError {
    return new WebhookError('NOT_FOUND', 'No webhook of this API key has this id');
  }

  const reportedKeyProblems = new Set<string>();
  /**
   * Why an attempt cannot be signed, for the delivery's `lastError` and (once per webhook) the
   * log. Fingerprints are public (`secret-box.ts`); the secret and the key never appear.
   */
  function unopenedSecret(webhookId: string, failure: { readonly code: string; readonly message: string }): string {
    const message =
      failure.code === 'WRONG_KEY'
        ? `this instance cannot sign: ${failure.message}. Every instance must have the same WEBHOOK_SECRET_KEY; or rotate the secret (rotateWebhookSecret) on an instance with the right key`
        : `this instance cannot sign: ${failure.message} (${failure.code}); rotate the secret with rotateWebhookSecret`;
    if (!reportedKeyProblems.has(webhookId)) {
      reportedKeyProblems.add(webhookId);
      options.logger?.error({ webhook: webhookId, code: failure.code }, `webhook deliveries fail: ${message}`);
    }
    return message;
  }

  const dispatcher = createDispatcher({
    ...options.dispatch,
    db: () => db,
    guard: options.guard,
    clock: options.clock,
    logger: options.logger,
    async secrets(delivery, at) {
      let sealing: SecretKey;
      try {
        sealing = await sealingKey();
      } catch (error) {
        return { ok: false, message: (error as Error).message };
      }
      const current = openSecret(delivery.secretSealed, sealing, delivery.webhookId);
      if (!current.ok) return { ok: false, message: unopenedSecret(delivery.webhookId, current) };
      const previousValid = delivery.previousSecretSealed !== null && delivery.previousSecretUntil !== null && at < delivery.previousSecretUntil.getTime();
      const previous = previousValid ? openSecret(delivery.previousSecretSealed!, sealing, delivery.webhookId) : null;
      return { ok: true, secrets: previous?.ok ? [current.secret, previous.secret] : [current.secret] };
    },
  });

  return {
    hooks: createOutbox({ globalIdOf: options.globalIdOf, clock: options.clock, onEnqueued: options.onEnqueued }),
    dispatcher,
    attach(opened) {
      db = opened;
      dispatcher.start();
      dispatcher.wake();
    },
    wake: () => dispatcher.wake(),
    async create(caller, input) {
      const url = await checkUrlInput(input.url);
      const events = checkEvents(input.events);
      const description = checkDescription(input.description);
      const id = randomUUID();
      const secret = newSecret();
      const sealed = sealSecret(secret, await sealingKey(), id);
      const webhook = await store.insertWebhook(database(), {
        id,
        url,
        events,
        filter: input.filter ?? null,
        providers: caller.providers,
        description,
        createdBy: caller.owner,
        createdAt: new Date(now()),
        secretSealed: sealed,
      });
      options.logger?.info({ webhook: id, createdBy: caller.owner }, 'webhook created');
      return { webhook, secret };
    },
    async update(caller, id, patch) {
      const checked: store.WebhookPatch = {
        ...patch,
        ...(patch.url === undefined ? {} : { url: await checkUrlInput(patch.url) }),
        ...(patch.events === undefined ? {} : { events: checkEvents(patch.events) }),
        ...(patch.description === undefined ? {} : { description: checkDescription(patch.description) }),
      };
      const webhook = await store.updateWebhook(database(), id, caller.owner, checked);
      if (!webhook) throw notFound();
      if (patch.enabled) dispatcher.wake();
      return webhook;
    },
    async delete(caller, id) {
      return store.deleteWebhook(database(), id, caller.owner);
    },
    async rotateSecret(caller, id) {
      const secret = newSecret();
      const sealed = sealSecret(secret, await sealingKey(), id);
      const webhook = await store.rotateSecret(database(), id, caller.owner, { current: sealed, previousUntil: new Date(now() + ROTATION_OVERLAP_MS) });
      if (!webhook) throw notFound();
      options.logger?.info({ webhook: id }, 'webhook secret rotated');
      return { webhook, secret };
    },
    list: async (caller) => store.listWebhooks(database(), caller.owner),
    get: async (caller, id) => store.getWebhook(database(), id, caller.owner),
    deliveries: async (webhookId, args) => store.listDeliveries(database(), webhookId, args),
    async sendTest(caller, id, publicId) {
      const webhook = await store.getWebhook(database(), id, caller.owner);
      if (!webhook) throw notFound();
      const at = now();
      const delivery = await store.insertDelivery(database(), {
        webhookId: id,
        event: 'webhook.test',
        payload: testEventBody({ webhookId: publicId, at }),
        messageId: newMessageId(),
        at: new Date(at),
      });
      options.onEnqueued?.(1);
      dispatcher.wake();
      return delivery;
    },
    queueStats: async () => store.queueStats(database()),
    async close() {
      await dispatcher.stop();
      db = null;
    },
  };
}
