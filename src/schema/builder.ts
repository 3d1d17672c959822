/**
 * The one Pothos builder: plugins, scalars and the context every resolver sees.
 */
import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import type { JobFeed } from '../jobs/job-feed.js';
import type { JobLoader, LoadedAnswers } from '../jobs/job-loader.js';
import type { JobRef, Provider } from '../jobs/model.js';
import type { RegistryService } from '../registry/service.js';
import type { StartService } from '../registry/starts.js';
import type { TrackedJob } from '../registry/tracked-job.js';
import type { StatusStore } from '../jobs/status-store.js';
import { type Caller, type Capability, mayDo, mayRead } from '../security/caller.js';
import type { WebhookService } from '../webhooks/service.js';
import { decodeJobGlobalId, encodeJobGlobalId } from './global-id.js';

/** What each operation gets; built per request (HTTP) or per subscription (WebSocket, SSE). */
export interface Context {
  readonly store: StatusStore;
  /** Per request: batches and de-duplicates the refs one operation asks for; answers refs the caller may not read as denied. */
  readonly loader: JobLoader;
  /** Per request: what `loader` answered, for the response cache (`http/response-cache.ts`). */
  readonly answers: LoadedAnswers;
  /** Who is asking: decides which providers' jobs they may read. */
  readonly caller: Caller;
  /** Aborted when the server shuts down: open streams then complete. */
  readonly stopping: AbortSignal;
  /** Live updates; shared by every subscription of the process. */
  readonly feed: JobFeed;
  /** Refs accepted in one `jobs`, `nodes` or `jobUpdates`. */
  readonly maxRefs: number;
  /** The job registry (tracked jobs, history, the live list). */
  readonly registry: RegistryService;
  /** Starting ImageKit jobs (the start mutations): one POST, tracked at once, idempotency keys. */
  readonly starts: StartService;
  /** Per request: each ref's tracked job (or null), one registry query per batch. */
  readonly tracked: DataLoader<JobRef, TrackedJob | null, string>;
  /** Webhooks: the outbox's management side. */
  readonly webhooks: WebhookService;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: { DateTime: { Input: Date; Output: Date } };
  DefaultFieldNullability: false;
  AuthScopes: { readProvider: Provider; can: Capability };
}>({
  // Scope auth first, so that no other plugin's wrapper runs a resolver before the check.
  plugins: [ScopeAuthPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    // Checked once when a subscription starts, never per event.
    authorizeOnSubscribe: true,
    authScopes: (context) => ({
      readProvider: (provider) => mayRead(context.caller, provider),
      can: (capability) => mayDo(context.caller, capability),
    }),
    // A denied operation or field: a GraphQL error with a code clients can branch on.
    unauthorizedError: (_parent, _context, _info, result) => new GraphQLError(result.message, { extensions: { code: 'FORBIDDEN' } }),
  },
  relay: {
    encodeGlobalID: encodeJobGlobalId,
    decodeGlobalID: decodeJobGlobalId,
    nodeQueryOptions: { description: 'The job with this global id, or null when the provider does not know it.' },
    nodesQueryOptions: { description: 'One entry per id, in order; null where the provider does not know the job.' },
  },
});
