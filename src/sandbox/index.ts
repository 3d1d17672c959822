/**
 * Simulated ImageKit, SAYMON and Zendesk job-status APIs on one loopback HTTP server. It serves
 * `npm start` when no provider is configured, and tests. The real provider clients talk to it over
 * HTTP exactly as to the real APIs (paths, auth, bodies, status codes, error bodies), so it also
 * checks them end to end.
 *
 * Any id is a job: its life is derived from a hash of the id and the moment the sandbox first saw
 * it (see `lifecycle.ts`); ids containing "missing" or "notfound" do not exist.
 */
import { systemClock, type Clock } from '../clock.js';
import type { JobKind } from '../jobs/model.js';
import type { AccountConfig } from '../providers/descriptor.js';
import { randomCredentials, type SandboxCredentials } from './credentials.js';
import { demoRefs, freshDemoSeed } from './demo.js';
import { imagekitHandler } from './imagekit.js';
import { listen, type SandboxRequest } from './router.js';
import { saymonHandler } from './saymon.js';
import { zendeskHandler } from './zendesk.js';

export { DEVELOPMENT_CREDENTIALS, type SandboxCredentials } from './credentials.js';
export type { SandboxRequest } from './router.js';
export { SAYMON_SESSION_COOKIE } from './saymon.js';

export interface SandboxOptions {
  /** Listen address; default `127.0.0.1`. */
  readonly host?: string;
  /** Default 0: an ephemeral port (read it from `baseUrls`). */
  readonly port?: number;
  /** Drives every job's life; tests pass one they advance. Default: the system clock. */
  readonly clock?: Clock;
  /** Fixed secrets; whatever is left out is random per start. */
  readonly credentials?: Partial<SandboxCredentials>;
  /**
   * Multiplies every lifecycle duration (1: a job takes roughly 10–40 s). Tests use small values;
   * 0 makes every job done as soon as it is seen. Must be a finite number ≥ 0.
   */
  readonly timeScale?: number;
  /**
   * How many entries `requests` keeps (the oldest are dropped), so a long-running demo does not
   * grow without bound. Default 10 000.
   */
  readonly maxLoggedRequests?: number;
}

export interface Sandbox {
  /** Base URLs as a client would configure them: one server, one path prefix per provider. */
  readonly baseUrls: { readonly imagekit: string; readonly saymon: string; readonly zendesk: string };
  readonly credentials: SandboxCredentials;
  /** Every request answered under a provider prefix, oldest first, for tests counting upstream calls. */
  readonly requests: SandboxRequest[];
  /** Ids that exist and end well, one per kind, fixed across starts: GraphiQL's default query uses them. */
  readonly demoRefs: { kind: JobKind; nativeId: string }[];
  /**
   * A new set of such ids on every call, never seen before, so their jobs start from the
   * beginning: each GraphiQL page load gets one and always shows jobs moving.
   */
  freshDemoRefs(): { kind: JobKind; nativeId: string }[];
  /** The three accounts, each named "default", marked `sandbox`, pointing here with the credentials. */
  accounts(): AccountConfig[];
  /** Stops listening and destroys open connections. Safe to call more than once. */
  close(): Promise<void>;
}

/** Starts the sandbox; resolves once it listens. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const clock = options.clock ?? systemClock;
  const timeScale = options.timeScale ?? 1;
  if (!Number.isFinite(timeScale) || timeScale < 0) throw new RangeError(`timeScale must be a finite number >= 0, got ${timeScale}`);
  const maxLogged = options.maxLoggedRequests ?? 10_000;
  const credentials = withDefaults(options.credentials);

  const requests: SandboxRequest[] = [];
  const listening = await listen(options.host ?? '127.0.0.1', options.port ?? 0, (entry) => {
    requests.push(entry);
    // Trimmed in place: tests may hold the array itself.
    if (requests.length > maxLogged) requests.splice(0, requests.length - maxLogged);
  });
  const baseUrls = {
    imagekit: `${listening.origin}/imagekit`,
    saymon: `${listening.origin}/saymon`,
    zendesk: `${listening.origin}/zendesk`,
  };
  listening.mount([
    { prefix: 'imagekit', provider: 'IMAGEKIT', handle: imagekitHandler({ clock, timeScale, privateKey: credentials.imagekitPrivateKey }) },
    {
      prefix: 'saymon',
      provider: 'SAYMON',
      handle: saymonHandler({
        clock,
        timeScale,
        login: credentials.saymonLogin,
        password: credentials.saymonPassword,
        apiToken: credentials.saymonApiToken,
      }),
    },
    {
      prefix: 'zendesk',
      provider: 'ZENDESK',
      handle: zendeskHandler({ clock, timeScale, email: credentials.zendeskEmail, apiToken: credentials.zendeskApiToken, baseUrl: baseUrls.zendesk }),
    },
  ]);

  return {
    baseUrls,
    credentials,
    requests,
    demoRefs: demoRefs(),
    freshDemoRefs: () => demoRefs(freshDemoSeed()),
    accounts: () => [
      { provider: 'IMAGEKIT', name: 'default', baseUrl: baseUrls.imagekit, privateKey: credentials.imagekitPrivateKey, sandbox: true },
      {
        provider: 'SAYMON',
        name: 'default',
        baseUrl: baseUrls.saymon,
        auth: { scheme: 'basic', login: credentials.saymonLogin, password: credentials.saymonPassword },
        sandbox: true,
      },
      {
        provider: 'ZENDESK',
        name: 'default',
        baseUrl: baseUrls.zendesk,
        auth: { scheme: 'token', email: credentials.zendeskEmail, apiToken: credentials.zendeskApiToken },
        sandbox: true,
      },
    ],
    close: () => listening.close(),
  };
}

/** Given secrets win; `undefined` entries (a spread of optional config) do not erase the random ones. */
function withDefaults(given: Partial<SandboxCredentials> | undefined): SandboxCredentials {
  const defaults = randomCredentials();
  const chosen = Object.fromEntries(Object.entries(given ?? {}).filter(([, value]) => typeof value === 'string' && value !== ''));
  return { ...defaults, ...chosen };
}
