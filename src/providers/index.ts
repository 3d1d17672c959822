/**
 * The provider layer's entry: one `ProviderClient` per configured account. Everything above sees
 * only `ProviderClient` and the domain's types; wire shapes, auth and HTTP stay below.
 */
import type { AccountConfig, ProviderClient } from './client.js';
import type { UpstreamDeps } from './http.js';
import { createImageKitClient } from './imagekit.js';
import { createSaymonClient } from './saymon.js';
import { createZendeskClient } from './zendesk.js';

export type { UpstreamDeps } from './http.js';

/**
 * Creates the client for one account. Each client owns its concurrency limit, so create one per
 * account and share it: the bound on calls in flight holds across all of its callers.
 */
export function createProviderClient(account: AccountConfig, deps: UpstreamDeps): ProviderClient {
  switch (account.provider) {
    case 'IMAGEKIT':
      return createImageKitClient(account, deps);
    case 'SAYMON':
      return createSaymonClient(account, deps);
    case 'ZENDESK':
      return createZendeskClient(account, deps);
  }
}
