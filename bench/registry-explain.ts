/**
 * EXPLAIN ANALYZE of every statement `trackedJobs` sends for the registry scenario's cases, on
 * PGlite (in memory) and PostgreSQL (a scratch database), over the seeded rows: the tool behind
 * the indexes of `migrations/0003-listing.ts`.
 *
 *   npx tsx bench/registry-explain.ts [--rows 100000] [--database pglite|postgres]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { migrate } from '../src/registry/database.js';
import { countTrackedJobs, listTrackedJobPage } from '../src/registry/listing.js';
import { PgliteDialect } from '../src/registry/pglite-dialect.js';
import type { Database } from '../src/registry/schema.js';
import { LISTING_CASES } from './registry-cases.js';
import { seedTrackedJobs } from './registry-seed.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, database: { type: 'string' } } });
const ROWS = Number(values.rows);
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function explainAll(name: string, dialect: PostgresDialect | PgliteDialect): Promise<void> {
  const captured: { sql: string; parameters: readonly unknown[] }[] = [];
  const db = new Kysely<Database>({ dialect, log: (event) => void captured.push({ sql: event.query.sql, parameters: event.query.parameters }) });
  await migrate(db);
  await seedTrackedJobs(db, ROWS);
  await sql`vacuum analyze tracked_jobs`.execute(db);
  for (const listing of LISTING_CASES) {
    const options = listing.options(ROWS);
    captured.length = 0;
    await listTrackedJobPage(db, options);
    await countTrackedJobs(db, options);
    for (const query of [...captured]) {
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain (analyze, buffers off) ${sql.raw(inline(query.sql, query.parameters))}`.execute(db);
      console.log(`\n## ${name}: ${listing.name}\n${query.sql.slice(0, 400)}\n${JSON.stringify(query.parameters).slice(0, 200)}\n${rows.map((row) => row['QUERY PLAN']).join('\n')}`);
    }
  }
  await db.destroy();
}

/** The statement with its parameters written in (EXPLAIN takes no bind parameters here). */
function inline(text: string, parameters: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, index: string) => {
    const value = parameters[Number(index) - 1];
    if (value instanceof Date) return `'${value.toISOString()}'`;
    if (Array.isArray(value)) return `'{${value.map((item) => `"${String(item)}"`).join(',')}}'`;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return `'${String(value).replace(/'/g, "''")}'`;
  });
}

if (values.database !== 'postgres') {
  const pglite = await PGlite.create();
  await explainAll('PGlite', new PgliteDialect(pglite));
  await pglite.close();
}
if (values.database !== 'pglite') {
  const scratch = `jsg_explain_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create database ${scratch}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${scratch}`;
  try {
    await explainAll('PostgreSQL', new PostgresDialect({ pool: new pg.Pool({ connectionString: url.toString() }) }));
  } finally {
    await admin.query(`drop database ${scratch} with (force)`);
    await admin.end();
  }
}
