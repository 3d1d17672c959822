/**
 * The registry's migrations, listed here rather than found on disk so that they run the same from
 * `src/` under tsx and from `dist/` after a build. Names sort in the order they must run; a new
 * migration is a new file `migrations/NNNN-name.ts` and one line below. Never edit one that shipped.
 */
import type { Migration, MigrationProvider } from 'kysely';
import { registrySchema } from './migrations/0001-registry.js';
import { webhooksSchema } from './migrations/0002-webhooks.js';
import { listingCountsSchema } from './migrations/0003-listing-counts.js';
import { webhookClaimIndexSchema } from './migrations/0004-webhook-claim-index.js';
import { labelCountsSchema } from './migrations/0005-label-counts.js';

const MIGRATIONS: Record<string, Migration> = {
  '0001-registry': registrySchema,
  '0002-webhooks': webhooksSchema,
  '0003-listing-counts': listingCountsSchema,
  '0004-webhook-claim-index': webhookClaimIndexSchema,
  '0005-label-counts': labelCountsSchema,
};

/** Kysely's `Migrator` reads the migrations from this provider. */
export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return MIGRATIONS;
  },
};
