/**
 * Registry listing at scale: `first: 50` pages of `trackedJobs` over 100 000 tracked jobs, on
 * PGlite (in memory) and PostgreSQL (a scratch database, dropped afterwards), timing the first
 * page, a page deep into the list (keyset: as cheap as the first), and filtered pages.
 *
 *   npx tsx bench/registry.ts                    both databases, 100 000 rows
 *   npx tsx bench/registry.ts --rows 20000       fewer rows
 *
 * PostgreSQL is `BENCH_POSTGRES_URL` (default postgres://postgres@127.0.0.1:5432/postgres); it is
 * skipped when it does not answer. Prints one Markdown table.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { type RegistryDatabase, openDatabase } from '../src/registry/database.js';
import type { ListTrackedJobsOptions } from '../src/registry/listing.js';
import { providerCatalog } from '../src/providers/catalog.js';
import { createRegistry } from '../src/registry/registry.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, repeat: { type: 'string', default: '20' } } });
const ROWS = Number(values.rows);
const REPEAT = Number(values.repeat);
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function seed(database: RegistryDatabase): Promise<void> {
  await sql`insert into tracked_jobs (provider, kind, account, native_id, tracked_at, changed_at, labels, state, done, final)
    select (array['IMAGEKIT','SAYMON','ZENDESK'])[1 + n % 3], (array['IMAGEKIT_BULK_JOB','SAYMON_BULK_OP','ZENDESK_JOB_STATUS'])[1 + n % 3],
           'default', 'job-' || n, timestamptz '2024-01-01' + n * interval '1 second', timestamptz '2024-01-01' + (n * 7 % ${ROWS}) * interval '1 second',
           case when n % 100 = 0 then array['rare'] else array['common'] end,
           case when n % 10 = 0 then 'RUNNING' else 'COMPLETED' end, n % 10 <> 0, n % 10 <> 0
    from generate_series(1, ${ROWS}) as n`.execute(database.db);
  await sql`analyze tracked_jobs`.execute(database.db);
}

async function time(run: () => Promise<unknown>): Promise<number> {
  await run();
  const samples: number[] = [];
  for (let index = 0; index < REPEAT; index++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

async function measure(name: string, database: RegistryDatabase): Promise<string[]> {
  const registry = createRegistry(database.db, { catalog: providerCatalog });
  await seed(database);
  const list = (options: ListTrackedJobsOptions) => () => registry.listTrackedJobs({ first: 50, ...options });
  // A cursor half-way down the list, reached by paging (what a client holding it would send).
  let cursor: string | null = null;
  for (let page = 0; page < 20; page++) cursor = (await registry.listTrackedJobs({ first: 500, after: cursor })).pageInfo.endCursor;
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['first page, newest first', list({})],
    ['page after 10 000 rows', list({ after: cursor })],
    ['oldest first', list({ orderBy: 'TRACKED_ASC' })],
    ['by last change', list({ orderBy: 'CHANGED_DESC' })],
    ['provider ZENDESK', list({ filter: { providers: ['ZENDESK'] } })],
    ['state RUNNING', list({ filter: { states: ['RUNNING'] } })],
    ['label "rare" (1 %)', list({ filter: { labels: ['rare'] } })],
    ['search "job-9999"', list({ filter: { search: 'job-9999' } })],
  ];
  const row = [name];
  for (const [, run] of cases) row.push((await time(run)).toFixed(1));
  return row;
}

const header = ['database', 'first page', 'page after 10 000', 'oldest first', 'by change', 'provider', 'state', 'rare label', 'search prefix'];
const rows: string[][] = [];
const pglite = await openDatabase({ url: 'memory:' });
try {
  rows.push(await measure('PGlite (memory)', pglite));
} finally {
  await pglite.close();
}
const admin = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
const scratchName = `jsg_bench_${randomBytes(4).toString('hex')}`;
try {
  await admin.connect();
  await admin.query(`create database ${scratchName}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${scratchName}`;
  const postgres = await openDatabase({ url: url.toString() });
  try {
    rows.push(await measure('PostgreSQL', postgres));
  } finally {
    await postgres.close();
    await admin.query(`drop database ${scratchName} with (force)`);
  }
} catch (error) {
  console.error(`PostgreSQL skipped: ${String(error)}`);
} finally {
  await admin.end().catch(() => {});
}
console.log(`\`trackedJobs(first: 50)\` over ${ROWS} tracked jobs, median of ${REPEAT} (ms, including totalCount):\n`);
console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
