/**
 * `trackedJobs` listing: every filter, every order, keyset pages both ways, cursors, counts,
 * and index use at 100 000 rows; on PGlite and PostgreSQL.
 */
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import type { JobRef } from '../../src/jobs/model.js';
import type { TrackedJobOrder } from '../../src/registry/listing.js';
import { type Registry, createRegistry } from '../../src/registry/registry.js';
import { describeEachDatabase } from '../support/database.js';
import { manualClock } from '../support/manual-clock.js';
import { observed, ref } from '../support/outcomes.js';
import { providerCatalog } from '../../src/providers/catalog.js';


await describeEachDatabase('listing tracked jobs', (current) => {
  const clock = manualClock();
  const registry = () => createRegistry(current().database.db, { clock, catalog: providerCatalog });

  /** Tracks each ref one second after the previous one. */
  async function trackInTurn(refs: readonly JobRef[], labels: string[] = []): Promise<void> {
    for (const job of refs) {
      clock.advance(1000);
      await registry().trackJobs([job], labels);
    }
  }

  async function ids(options: Parameters<Registry['listTrackedJobs']>[0]): Promise<string[]> {
    const page = await registry().listTrackedJobs({ first: 500, ...options });
    expect(page.totalCount).toBe(page.edges.length);
    return page.edges.map((edge) => edge.node.ref.nativeId);
  }

  it('applies each filter, and several together', async () => {
    await trackInTurn([ref('ZENDESK_JOB_STATUS', 'z-1'), ref('ZENDESK_JOB_STATUS', 'z-2', 'eu')], ['nightly']);
    await trackInTurn([ref('IMAGEKIT_BULK_JOB', 'ik-1'), ref('IMAGEKIT_PURGE_REQUEST', 'p_1'), ref('SAYMON_BULK_OP', 'op%1')], ['manual', 'z-label']);
    const trackedAtIk1 = new Date(clock.now() - 2000);
    await registry().recordObservation(ref('ZENDESK_JOB_STATUS', 'z-1'), observed(ref('ZENDESK_JOB_STATUS', 'z-1'), 'COMPLETED', true, clock.now()));
    await registry().recordObservation(ref('IMAGEKIT_BULK_JOB', 'ik-1'), observed(ref('IMAGEKIT_BULK_JOB', 'ik-1'), 'RUNNING', false, clock.now()));

    expect(await ids({ filter: { providers: ['IMAGEKIT'] } })).toEqual(['p_1', 'ik-1']);
    expect(await ids({ filter: { kinds: ['IMAGEKIT_PURGE_REQUEST', 'SAYMON_BULK_OP'] } })).toEqual(['op%1', 'p_1']);
    expect(await ids({ filter: { accounts: ['eu'] } })).toEqual(['z-2']);
    expect(await ids({ filter: { states: ['RUNNING', 'COMPLETED'] } })).toEqual(['ik-1', 'z-1']);
    expect(await ids({ filter: { done: true } })).toEqual(['z-1']);
    expect(await ids({ filter: { done: false } })).toEqual(['op%1', 'p_1', 'ik-1', 'z-2']);
    expect(await ids({ filter: { labels: ['manual', 'z-label'] } })).toEqual(['op%1', 'p_1', 'ik-1']);
    expect(await ids({ filter: { labels: ['manual', 'nightly'] } })).toEqual([]);
    expect(await ids({ filter: { trackedAfter: trackedAtIk1 } })).toEqual(['op%1', 'p_1']);
    expect(await ids({ filter: { trackedBefore: trackedAtIk1 } })).toEqual(['z-2', 'z-1']);
    expect(await ids({ filter: { trackedAfter: new Date(trackedAtIk1.getTime() - 1), trackedBefore: new Date(trackedAtIk1.getTime() + 1) } })).toEqual(['ik-1']);
    // search: a prefix of the native id (LIKE's wildcards taken literally), or one whole label
    expect(await ids({ filter: { search: 'z-' } })).toEqual(['z-2', 'z-1']);
    expect(await ids({ filter: { search: 'z-label' } })).toEqual(['op%1', 'p_1', 'ik-1']);
    expect(await ids({ filter: { search: 'z-lab' } })).toEqual([]);
    expect(await ids({ filter: { search: 'z-1' } })).toEqual(['z-1']);
    expect(await ids({ filter: { search: 'p_' } })).toEqual(['p_1']);
    expect(await ids({ filter: { search: 'op%' } })).toEqual(['op%1']);
    expect(await ids({ filter: { search: 'o%' } })).toEqual([]);
    expect(await ids({ filter: { search: 'nightly' } })).toEqual(['z-2', 'z-1']);
    expect(await ids({ filter: { providers: ['ZENDESK', 'IMAGEKIT'], done: false, search: 'z' } })).toEqual(['z-2']);
    expect(await ids({ filter: { providers: [] } })).toEqual([]);
  });

  it('shows a caller only the providers it may read', async () => {
    await trackInTurn([ref('ZENDESK_JOB_STATUS', 'z'), ref('IMAGEKIT_BULK_JOB', 'ik'), ref('SAYMON_BULK_OP', 's')]);
    expect(await ids({ visibleProviders: ['ZENDESK', 'SAYMON'] })).toEqual(['s', 'z']);
    expect(await ids({ visibleProviders: ['ZENDESK'], filter: { providers: ['IMAGEKIT', 'ZENDESK'] } })).toEqual(['z']);
    expect(await ids({ visibleProviders: [] })).toEqual([]);
  });

  it('orders by tracking time both ways and by last change', async () => {
    const refs = ['a', 'b', 'c'].map((id) => ref('ZENDESK_JOB_STATUS', id));
    await trackInTurn(refs);
    clock.advance(1000);
    await registry().recordObservation(refs[0]!, observed(refs[0]!, 'RUNNING', false, clock.now()));
    expect(await ids({ orderBy: 'TRACKED_DESC' })).toEqual(['c', 'b', 'a']);
    expect(await ids({})).toEqual(['c', 'b', 'a']);
    expect(await ids({ orderBy: 'TRACKED_ASC' })).toEqual(['a', 'b', 'c']);
    expect(await ids({ orderBy: 'CHANGED_DESC' })).toEqual(['a', 'c', 'b']);
  });

  for (const order of ['TRACKED_DESC', 'TRACKED_ASC', 'CHANGED_DESC'] as const satisfies readonly TrackedJobOrder[]) {
    it(`pages forward and backward without gaps or repeats (${order}), ties on time included`, async () => {
      // Groups of jobs tracked in one call share their tracking time: the id breaks the tie.
      for (let group = 0; group < 6; group++) {
        clock.advance(1000);
        await registry().trackJobs(Array.from({ length: 4 }, (_, index) => ref('ZENDESK_JOB_STATUS', `g${group}-${index}`)));
      }
      const all = await ids({ orderBy: order });
      expect(all).toHaveLength(24);

      const forward: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const page = await registry().listTrackedJobs({ orderBy: order, first: 5, after });
        pages++;
        expect(page.totalCount).toBe(24);
        expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
        forward.push(...page.edges.map((edge) => edge.node.ref.nativeId));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(pages).toBe(5);
      expect(forward).toEqual(all);

      const backward: string[] = [];
      let before: string | null = null;
      for (;;) {
        const page = await registry().listTrackedJobs({ orderBy: order, last: 5, before });
        expect(page.pageInfo.hasNextPage).toBe(before !== null);
        backward.unshift(...page.edges.map((edge) => edge.node.ref.nativeId));
        if (!page.pageInfo.hasPreviousPage) break;
        before = page.pageInfo.startCursor;
      }
      expect(backward).toEqual(all);
    });
  }

  it('keeps cursors stable while jobs are added and removed', async () => {
    const refs = Array.from({ length: 6 }, (_, index) => ref('ZENDESK_JOB_STATUS', `j${index}`));
    await trackInTurn(refs);
    const first = await registry().listTrackedJobs({ first: 3 });
    expect(first.edges.map((edge) => edge.node.ref.nativeId)).toEqual(['j5', 'j4', 'j3']);
    // Newer jobs land before the cursor; the job the cursor points at is even untracked.
    await trackInTurn([ref('ZENDESK_JOB_STATUS', 'new-1'), ref('ZENDESK_JOB_STATUS', 'new-2')]);
    await registry().untrackJobs([refs[3]!]);
    const second = await registry().listTrackedJobs({ first: 3, after: first.pageInfo.endCursor });
    expect(second.edges.map((edge) => edge.node.ref.nativeId)).toEqual(['j2', 'j1', 'j0']);
    expect(second.totalCount).toBe(7);
    expect(second.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('refuses malformed cursors, cursors of another order and out-of-range sizes', async () => {
    await trackInTurn([ref('ZENDESK_JOB_STATUS', 'a'), ref('ZENDESK_JOB_STATUS', 'b')]);
    const page = await registry().listTrackedJobs({ first: 1, orderBy: 'TRACKED_ASC' });
    const foreign = Buffer.from(JSON.stringify(['history', '1', 3])).toString('base64url');
    for (const cursor of ['not a cursor!', 'bm9wZQ', foreign, page.pageInfo.endCursor!]) {
      await expect(registry().listTrackedJobs({ first: 1, after: cursor })).rejects.toMatchObject({ code: 'CURSOR_INVALID' });
    }
    await expect(registry().listTrackedJobs({ last: 1, before: 'bm9wZQ' })).rejects.toMatchObject({ code: 'CURSOR_INVALID' });
    await expect(registry().listTrackedJobs({ first: 501 })).rejects.toMatchObject({ code: 'PAGE_SIZE_INVALID' });
    await expect(registry().listTrackedJobs({ last: -1 })).rejects.toMatchObject({ code: 'PAGE_SIZE_INVALID' });
    await expect(registry().listTrackedJobs({ first: 1, last: 1 })).rejects.toMatchObject({ code: 'PAGE_SIZE_INVALID' });
    const empty = await registry().listTrackedJobs({ first: 0 });
    expect(empty).toMatchObject({ edges: [], totalCount: 2, pageInfo: { hasNextPage: true } });
  });

  it('lists from an index at 100 000 rows, for each order and a label filter', async () => {
    const { db } = current().database;
    await sql`insert into tracked_jobs (provider, kind, account, native_id, tracked_at, changed_at, labels)
      select 'ZENDESK', 'ZENDESK_JOB_STATUS', 'default', 'bulk-' || n,
             timestamptz '2024-01-01' + n * interval '1 second', timestamptz '2024-01-01' + n * interval '1 second',
             case when n % 100 = 0 then array['rare'] else array['common'] end
      from generate_series(1, 100000) as n`.execute(db);
    await sql`analyze tracked_jobs`.execute(db);
    const page = await registry().listTrackedJobs({ first: 50 });
    expect(page.totalCount).toBe(100_000);
    expect(page.edges[0]!.node.ref.nativeId).toBe('bulk-100000');
    const deeper = await registry().listTrackedJobs({ first: 50, after: page.pageInfo.endCursor });
    expect(deeper.edges[0]!.node.ref.nativeId).toBe('bulk-99950');

    const cursor = page.pageInfo.endCursor!;
    const [, , ms, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string, number, number];
    const plans = {
      newest: sql`select * from tracked_jobs order by tracked_at desc, id desc limit 51`,
      oldest: sql`select * from tracked_jobs order by tracked_at asc, id asc limit 51`,
      changed: sql`select * from tracked_jobs where (changed_at, id) < (${new Date(ms)}::timestamptz, ${id}::bigint) order by changed_at desc, id desc limit 51`,
      label: sql`select * from tracked_jobs where labels @> array['rare']::text[] order by tracked_at desc, id desc limit 51`,
      prefix: sql`select * from tracked_jobs where native_id like 'bulk-9999%' order by tracked_at desc, id desc limit 51`,
    };
    for (const [name, query] of Object.entries(plans)) {
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${query}`.execute(db);
      const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(plan, `${name}:\n${plan}`).toMatch(/Index Scan|Bitmap Index Scan/);
      expect(plan, `${name}:\n${plan}`).not.toMatch(/Seq Scan/);
    }
  }, 60_000);
});
