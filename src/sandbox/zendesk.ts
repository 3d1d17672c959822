/**
 * Simulated Zendesk Support job statuses: show, show_many, list (cursor pagination, newest first)
 * and the bulk calls that start jobs, shaped like the recorded responses in
 * `test/fixtures/zendesk-job-statuses.recorded.json`: organizations, and the ticket and user
 * endpoints where most real jobs come from. Every status carries a `job_type`, as Zendesk's do.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { basicCredentials, bearerToken, sameSecret } from './auth.js';
import {
  isMissingId,
  organizationIds,
  type ZendeskAction,
  type ZendeskItemId,
  type ZendeskJobPlan,
  zendeskJobPlan,
  type ZendeskJobSpec,
  type ZendeskPhase,
  zendeskPhaseAt,
  type ZendeskResource,
} from './lifecycle.js';
import { matchRoute, type ProviderHandler, type Reply, route, type SandboxCall } from './router.js';
import { type SeenJob, SeenJobs } from './seen-jobs.js';

export interface ZendeskOptions {
  readonly clock: Clock;
  readonly timeScale: number;
  readonly email: string;
  readonly apiToken: string;
  /** The sandbox's Zendesk base URL: job statuses carry absolute `url`s, as at Zendesk. */
  readonly baseUrl: string;
}

/** Zendesk's bulk endpoints take at most 100 records per call. */
const MAX_ITEMS = 100;
const MAX_PAGE_SIZE = 100;

function error(status: number, code: string, description: string): Reply {
  return { status, body: { error: code, description } };
}

const NOT_FOUND = error(404, 'RecordNotFound', 'Not found');
const UNAUTHENTICATED: Reply = { status: 401, body: { error: "Couldn't authenticate you" } };

export function zendeskHandler(options: ZendeskOptions): ProviderHandler {
  const { clock, timeScale, baseUrl } = options;
  const jobs = new SeenJobs<ZendeskJobSpec>();

  function jobStatus(job: SeenJob<ZendeskJobSpec>): Record<string, unknown> {
    const plan = zendeskJobPlan(job.id, job.spec, timeScale);
    const phase = zendeskPhaseAt(plan, { id: job.id, firstSeen: job.firstSeen, now: clock.now(), timeScale });
    const resource = job.spec?.resource ?? 'organization';
    return {
      id: job.id,
      job_type: jobTypeOf(resource, plan.action),
      url: `${baseUrl}/api/v2/job_statuses/${encodeURIComponent(job.id)}.json`,
      total: plan.total,
      progress: phase.status === 'queued' ? null : phase.progress,
      status: phase.status,
      message: messageOf(plan, phase, resource),
      results: resultsOf(plan, phase, resource),
    };
  }

  function create(action: ZendeskAction, itemIds: readonly ZendeskItemId[], resource: ZendeskResource = 'organization'): Reply {
    const id = `V3-${randomBytes(16).toString('hex')}`;
    return { status: 200, body: { job_status: jobStatus(jobs.see(id, clock.now(), { action, itemIds, resource })) } };
  }

  /** `create_many`: `{<plural>: [{…}, …]}`; the records get new ids. */
  function createMany(call: SandboxCall, resource: ZendeskResource): Reply {
    const items = itemsOf(call, `${resource}s`);
    if (!Array.isArray(items)) return items;
    return create('create', organizationIds(randomBytes(8).toString('hex'), items.length), resource);
  }

  /** `update_many`: `{<plural>: [{id, …}, …]}`, or `?ids=1,2` with one `{<singular>: {…}}` for all. */
  function updateMany(call: SandboxCall, resource: ZendeskResource): Reply {
    if (call.query.ids !== undefined) {
      const ids = parseIds(call.query.ids);
      return Array.isArray(ids) ? create('update', ids, resource) : ids;
    }
    if (call.query.external_ids !== undefined) return byExternalIds(call, 'update', resource);
    const items = itemsOf(call, `${resource}s`);
    if (!Array.isArray(items)) return items;
    const ids = parseIds(items.map((item) => (typeof item === 'object' && item !== null ? String((item as { id?: unknown }).id ?? '') : '')).join(','));
    return Array.isArray(ids) ? create('update', ids, resource) : error(400, 'InvalidValue', `Every ${resource} needs a numeric id`);
  }

  /** `destroy_many`: `?ids=1,2` (or `?external_ids=a,b`). */
  function destroyMany(call: SandboxCall, resource: ZendeskResource): Reply {
    if (call.query.ids === undefined && call.query.external_ids !== undefined) return byExternalIds(call, 'delete', resource);
    const ids = parseIds(call.query.ids);
    return Array.isArray(ids) ? create('delete', ids, resource) : ids;
  }

  function byExternalIds(call: SandboxCall, action: ZendeskAction, resource: ZendeskResource): Reply {
    const externalIds = splitList(call.query.external_ids);
    if (externalIds.length === 0 || externalIds.length > MAX_ITEMS) return error(400, 'InvalidValue', `external_ids: 1 to ${MAX_ITEMS} values`);
    return create(action, organizationIds(externalIds.join(','), externalIds.length), resource);
  }

  const routes = [
    // show_many before show: otherwise "show_many" would be read as a job id.
    route('GET', '/api/v2/job_statuses/show_many', (call) => {
      const ids = [...new Set(splitList(call.query.ids))].filter((id) => !isMissingId(id));
      return { status: 200, body: { job_statuses: ids.map((id) => jobStatus(jobs.see(id, clock.now()))) } };
    }),
    route('GET', '/api/v2/job_statuses/:id', (_call, { id = '' }) => {
      if (isMissingId(id)) return NOT_FOUND;
      return { status: 200, body: { job_status: jobStatus(jobs.see(id, clock.now())) } };
    }),
    route('GET', '/api/v2/job_statuses', (call) => list(call)),
    route('POST', '/api/v2/organizations/create_many', (call) => createMany(call, 'organization')),
    route('PUT', '/api/v2/organizations/update_many', (call) => updateMany(call, 'organization')),
    route('DELETE', '/api/v2/organizations/destroy_many', (call) => destroyMany(call, 'organization')),
    route('PUT', '/api/v2/tickets/update_many', (call) => updateMany(call, 'ticket')),
    route('DELETE', '/api/v2/tickets/destroy_many', (call) => destroyMany(call, 'ticket')),
    route('POST', '/api/v2/users/create_many', (call) => createMany(call, 'user')),
    route('PUT', '/api/v2/users/update_many', (call) => updateMany(call, 'user')),
    route('DELETE', '/api/v2/users/destroy_many', (call) => destroyMany(call, 'user')),
  ];

  /**
   * Cursor pagination over every job the sandbox knows, newest first. A cursor names a job's
   * sequence number, so pages stay stable while new jobs arrive at the front.
   */
  function list(call: SandboxCall): Reply {
    const sizeParam = call.query['page[size]'];
    const size = sizeParam === undefined ? MAX_PAGE_SIZE : Number(sizeParam);
    if (!Number.isInteger(size) || size < 1) return error(400, 'InvalidPaginationParameter', 'page[size] must be a positive integer');
    const pageSize = Math.min(size, MAX_PAGE_SIZE);
    const afterParam = call.query['page[after]'];
    const beforeParam = call.query['page[before]'];
    const after = afterParam === undefined ? Infinity : decodeCursor(afterParam);
    const before = beforeParam === undefined ? -Infinity : decodeCursor(beforeParam);
    if (after === null || before === null) return error(400, 'InvalidPaginationParameter', 'page[after] or page[before] is not a valid cursor');
    const all = jobs.newestFirst();
    let page: SeenJob<ZendeskJobSpec>[];
    let hasMore: boolean;
    if (beforeParam !== undefined) {
      // The page just newer than the cursor: the newer jobs closest to it, still listed newest first.
      const newer = all.filter((job) => job.seq > before);
      page = newer.slice(Math.max(0, newer.length - pageSize));
      hasMore = newer.length > pageSize;
    } else {
      const older = all.filter((job) => job.seq < after);
      page = older.slice(0, pageSize);
      hasMore = older.length > pageSize;
    }
    const first = page[0];
    const last = page[page.length - 1];
    const afterCursor = last ? encodeCursor(last.seq) : null;
    const beforeCursor = first ? encodeCursor(first.seq) : null;
    const pageLink = (cursorName: string, cursor: string | null) =>
      cursor === null ? null : `${baseUrl}/api/v2/job_statuses.json?${new URLSearchParams({ 'page[size]': String(pageSize), [cursorName]: cursor }).toString()}`;
    const olderExist = last !== undefined && all.some((job) => job.seq < last.seq);
    const newerExist = first !== undefined && all.some((job) => job.seq > first.seq);
    return {
      status: 200,
      body: {
        job_statuses: page.map(jobStatus),
        meta: { has_more: hasMore, after_cursor: afterCursor, before_cursor: beforeCursor },
        links: {
          next: olderExist ? pageLink('page[after]', afterCursor) : null,
          prev: newerExist ? pageLink('page[before]', beforeCursor) : null,
        },
      },
    };
  }

  return (call) => {
    // Zendesk serves every path with or without `.json`.
    const segments = call.segments.map((segment, index) =>
      index === call.segments.length - 1 && segment.endsWith('.json') ? segment.slice(0, -'.json'.length) : segment,
    );
    const matched = matchRoute(routes, call.method, segments);
    if (!matched) return error(404, 'InvalidEndpoint', 'Not found');
    if (!authenticated(call, options)) return UNAUTHENTICATED;
    if (call.body.kind === 'invalid') return error(400, 'InvalidValue', 'Request body is not valid JSON');
    return matched.route.handle(call, matched.params);
  };
}

/** API token (`{email}/token:{token}`) or a Bearer equal to the API token (standing in for OAuth). */
function authenticated(call: SandboxCall, options: ZendeskOptions): boolean {
  const bearer = bearerToken(call.headers);
  if (bearer !== null) return sameSecret(bearer, options.apiToken);
  const basic = basicCredentials(call.headers);
  if (!basic) return false;
  const emailOk = sameSecret(basic.user, `${options.email}/token`);
  const tokenOk = sameSecret(basic.password, options.apiToken);
  return emailOk && tokenOk;
}

/**
 * `job_type` as the sandbox prints it: `bulk_update`/`bulk_delete` for tickets (Zendesk's bulk
 * ticket jobs), `{resource}_{action}` otherwise (e.g. `organization_delete`, `user_create`).
 */
function jobTypeOf(resource: ZendeskResource, action: ZendeskAction): string {
  return resource === 'ticket' ? `bulk_${action}` : `${resource}_${action}`;
}

function messageOf(plan: ZendeskJobPlan, phase: ZendeskPhase, resource: ZendeskResource): string | null {
  switch (phase.status) {
    case 'queued':
      return null;
    case 'working':
      // Wording as recorded: "Creating organization #10", "Deleting Organization #17".
      return `${WORKING_VERB[plan.action]} ${resource === 'organization' ? (plan.action === 'create' ? 'organization' : 'Organization') : resource} #${phase.progress}`;
    case 'completed':
      return `Completed at ${zendeskTime(phase.endedAt)}`;
    case 'failed':
      return `Failed at ${zendeskTime(phase.endedAt)}: could not ${plan.action} ${resource} #${phase.failedIndex + 1}`;
  }
}

const WORKING_VERB: Record<ZendeskAction, string> = {
  create: 'Creating',
  update: 'Updating',
  delete: 'Deleting',
};

/** Per-item results once the job has ended, shaped per action as the recorded ones are. */
function resultsOf(plan: ZendeskJobPlan, phase: ZendeskPhase, resource: ZendeskResource): Record<string, unknown>[] | null {
  if (phase.status === 'completed') return plan.itemIds.map((id) => succeeded(plan.action, id));
  if (phase.status !== 'failed') return null;
  const done = plan.itemIds.slice(0, phase.failedIndex).map((id) => succeeded(plan.action, id));
  const id = plan.itemIds[phase.failedIndex];
  const failure =
    plan.action === 'delete'
      ? { index: phase.failedIndex, id, action: 'delete', success: false, error: 'RecordNotFound', details: `${capitalized(resource)} not found` }
      : plan.action === 'update'
        ? { index: phase.failedIndex, id, action: 'update', success: false, error: 'RecordInvalid', details: INVALID_DETAILS[resource] }
        : { index: phase.failedIndex, error: 'RecordInvalid', details: INVALID_DETAILS[resource] };
  return [...done, failure];
}

const INVALID_DETAILS: Record<ZendeskResource, string> = {
  organization: 'Name: has already been taken',
  ticket: 'Status: closed prevents ticket update',
  user: 'Email: is already being used by another user',
};

function capitalized(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function succeeded(action: ZendeskAction, id: ZendeskItemId): Record<string, unknown> {
  switch (action) {
    case 'create':
      return { status: 'Created', id };
    case 'update':
      return { action: 'update', id, status: 'Updated', success: true };
    case 'delete':
      return { action: 'delete', id, status: 'Deleted', success: true };
  }
}

/** `2023-10-08 17:58:53 +0000`, the format of Zendesk's completion messages. */
function zendeskTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} +0000`;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

/** Organization ids from a comma list: 1 to 100 numeric ids, or the 400 to answer. */
function parseIds(value: string | undefined): ZendeskItemId[] | Reply {
  const parts = splitList(value);
  if (parts.length === 0 || parts.length > MAX_ITEMS) return error(400, 'InvalidValue', `ids: 1 to ${MAX_ITEMS} comma-separated ids`);
  if (!parts.every((part) => /^\d{1,20}$/.test(part))) return error(400, 'InvalidValue', 'ids: must be numeric');
  // Printed as JSON numbers like Zendesk's, except where a number would lose digits.
  return parts.map((part) => (Number.isSafeInteger(Number(part)) ? Number(part) : part));
}

/** The array under `key` in a JSON object body (1 to 100 entries), or the 400 to answer. */
function itemsOf(call: SandboxCall, key: string): unknown[] | Reply {
  const value = call.body.kind === 'json' ? call.body.value : undefined;
  const items = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ITEMS) {
    return error(400, 'InvalidValue', `${key}: 1 to ${MAX_ITEMS} records expected`);
  }
  return items;
}

function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number | null {
  const match = /^seq:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match?.[1] ? Number(match[1]) : null;
}
