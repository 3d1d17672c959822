/**
 * The registry's settings (`config.registry`): which database, where the embedded one keeps its
 * files, how long finished jobs are kept, and how long a registry call may take.
 */
import { MAX_TIMER_MS, type EnvReader } from './env-reader.js';
import type { Findings } from './findings.js';
import type { RegistrySettings } from './model.js';

const DAY_MS = 86_400_000;

/** Reads `DATABASE_URL`, `DATA_DIR`, `TRACK_RETENTION_DAYS`, `REGISTRY_TIMEOUT_MS`; the URL's password is a secret. */
export function readRegistry(read: EnvReader, findings: Findings): RegistrySettings {
  const value = read.text('DATABASE_URL');
  let databaseUrl: string | null = null;
  if (value === 'memory:') {
    databaseUrl = value;
  } else if (value !== undefined) {
    let url: URL | null = null;
    try {
      url = new URL(value);
    } catch {
      // Reported below.
    }
    if (url && (url.protocol === 'postgres:' || url.protocol === 'postgresql:')) {
      findings.secret(url.password);
      findings.secret(safeDecode(url.password));
      databaseUrl = value;
    } else {
      // Never echo the value: it may carry a password.
      findings.problem('DATABASE_URL', 'expected postgres://…, postgresql://… or memory:');
    }
  }
  const retentionDays = read.int('TRACK_RETENTION_DAYS', 1, 36_500);
  return {
    databaseUrl,
    dataDir: read.text('DATA_DIR') ?? './data',
    retentionDays,
    retentionMs: retentionDays * DAY_MS,
    timeoutMs: read.int('REGISTRY_TIMEOUT_MS', 1, MAX_TIMER_MS),
  };
}

/** Whether `url` names a PostgreSQL server (not the embedded database). */
export function isPostgresUrl(url: string | null): boolean {
  return url !== null && /^postgres(ql)?:\/\//.test(url);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
