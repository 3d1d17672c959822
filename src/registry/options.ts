/**
 * The registry's settings as one group: `loadConfig` produces it as `Config.registry`, and
 * `app.ts` opens the database and builds the registry service from it.
 */

/** Where tracked jobs live (see `docs/registry.md`). */
export interface RegistryOptions {
  /** `DATABASE_URL`: `postgres://…`/`postgresql://…` (PostgreSQL) or `memory:` (embedded, keeps nothing); null: embedded on disk under `dataDir`. */
  readonly databaseUrl: string | null;
  /** `DATA_DIR`, default `./data`: the embedded database's files. */
  readonly dataDir: string;
  /** `TRACK_RETENTION_DAYS`, default 30: finished tracked jobs older than this are forgotten. */
  readonly retentionDays: number;
  /** The same in milliseconds. */
  readonly retentionMs: number;
  /** `REGISTRY_TIMEOUT_MS`, default 5000: a registry call slower than this answers `REGISTRY_UNAVAILABLE`. */
  readonly timeoutMs: number;
}

/** Whether `url` names a PostgreSQL server (not the embedded database). */
export function isPostgresUrl(url: string | null | undefined): boolean {
  return typeof url === 'string' && /^postgres(ql)?:\/\//.test(url);
}
