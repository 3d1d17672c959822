/**
 * Simulated ImageKit: bulk folder jobs and CDN purge requests, with ImageKit's paths, Basic auth
 * (private key as username, password ignored), status codes and `{reason?, message, help}` error bodies.
 *
 * Starts (copy, move, rename, purge) create jobs that then move through their lifecycle like any
 * other id. So that a demo can show every outcome of a start, recognisable inputs are refused the way
 * ImageKit refuses them (`startRefusal`; the README lists the triggers).
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { basicCredentials, sameSecret } from './auth.js';
import {
  type ImageKitBulkSpec,
  type ImageKitBulkType,
  imagekitBulkPlan,
  imagekitBulkStatusAt,
  isMissingId,
  purgeRequestIdOf,
  purgeStatusAt,
} from './lifecycle.js';
import { matchRoute, type ProviderHandler, type Reply, route, type SandboxCall } from './router.js';
import { SeenJobs } from './seen-jobs.js';

export interface ImageKitOptions {
  readonly clock: Clock;
  readonly timeScale: number;
  readonly privateKey: string;
}

const HELP = 'For support kindly contact us at support@imagekit.io .';

function error(status: number, message: string, reason?: string): Reply {
  return { status, body: { ...(reason && { reason }), message, help: HELP } };
}

export function imagekitHandler(options: ImageKitOptions): ProviderHandler {
  const { clock, timeScale } = options;
  const bulkJobs = new SeenJobs<ImageKitBulkSpec>();
  const purges = new SeenJobs();

  /**
   * Registers a bulk job and, for a purging rename, its purge request. The purge starts when the
   * rename ends, as at ImageKit, so it never completes before the job that asked for it.
   */
  function seeBulkJob(jobId: string, spec?: ImageKitBulkSpec) {
    const job = bulkJobs.see(jobId, clock.now(), spec);
    const plan = imagekitBulkPlan(jobId, job.spec, timeScale);
    if (plan.purge) purges.see(purgeRequestIdOf(jobId), job.firstSeen + plan.pendingMs);
    return { job, plan };
  }

  function createBulkJob(type: ImageKitBulkType, purge: boolean, status: number): Reply {
    const jobId = randomBytes(12).toString('hex');
    seeBulkJob(jobId, { type, purge });
    return { status, body: { jobId } };
  }

  const routes = [
    route('GET', '/v1/bulkJobs/:jobId', (_call, { jobId = '' }) => {
      if (isMissingId(jobId)) return error(404, 'The requested job does not exist.');
      const { job, plan } = seeBulkJob(jobId);
      const status = imagekitBulkStatusAt(plan, { id: jobId, firstSeen: job.firstSeen, now: clock.now(), timeScale });
      const body: Record<string, unknown> = { jobId, type: plan.type, status };
      if (plan.purge) body.purgeRequestId = purgeRequestIdOf(jobId);
      if (status !== 'Partial success') return { status: 200, body };
      return {
        status: 207,
        body: { ...body, message: 'Folder renamed successfully but purging cache on nested files failed.', help: HELP },
      };
    }),
    route('GET', '/v1/files/purge/:requestId', (_call, { requestId = '' }) => {
      // ImageKit answers an unknown purge request with 400, not 404.
      if (isMissingId(requestId)) return error(400, 'No request found for this requestId.');
      const purge = purges.see(requestId, clock.now());
      return { status: 200, body: { status: purgeStatusAt({ id: requestId, firstSeen: purge.firstSeen, now: clock.now(), timeScale }) } };
    }),
    route('POST', '/v1/bulkJobs/copyFolder', (call) => {
      const body = requireFields(call, ['sourceFolderPath', 'destinationPath']);
      if ('status' in body) return body;
      return folderRefusal(body.fields.sourceFolderPath, body.fields.destinationPath) ?? createBulkJob('COPY_FOLDER', false, 200);
    }),
    route('POST', '/v1/bulkJobs/moveFolder', (call) => {
      const body = requireFields(call, ['sourceFolderPath', 'destinationPath']);
      if ('status' in body) return body;
      return folderRefusal(body.fields.sourceFolderPath, body.fields.destinationPath) ?? createBulkJob('MOVE_FOLDER', false, 200);
    }),
    route('POST', '/v1/bulkJobs/renameFolder', (call) => {
      const body = requireFields(call, ['folderPath', 'newFolderName']);
      if ('status' in body) return body;
      const refusal = renameRefusal(body.fields.folderPath, body.fields.newFolderName);
      return refusal ?? createBulkJob('RENAME_FOLDER', body.fields.purgeCache === true, 202);
    }),
    route('POST', '/v1/files/purge', (call) => {
      const body = requireFields(call, ['url']);
      if ('status' in body) return body;
      if (!isHttpUrl(body.fields.url)) return error(400, 'Invalid url parameter: it must be an http or https URL.', 'INVALID_PARAMETER');
      const requestId = randomBytes(12).toString('hex');
      purges.see(requestId, clock.now());
      return { status: 201, body: { requestId } };
    }),
  ];

  return (call) => {
    const matched = matchRoute(routes, call.method, call.segments);
    if (!matched) return error(404, 'Not found.');
    const refusal = authenticate(call, options.privateKey);
    return refusal ?? matched.route.handle(call, matched.params);
  };
}

/** 401 when no key is presented, 403 when it is not this account's; null when accepted. */
function authenticate(call: SandboxCall, privateKey: string): Reply | null {
  const basic = basicCredentials(call.headers);
  if (!basic || basic.user === '') return error(401, 'Your request does not contain private API key.');
  return sameSecret(basic.user, privateKey) ? null : error(403, 'Your account cannot be authenticated.');
}

/** The JSON object body with every named field a non-empty string, or the 400 to answer. */
function requireFields<N extends string>(call: SandboxCall, names: readonly N[]): Reply | { fields: Record<string, unknown> & Record<N, string> } {
  if (call.body.kind === 'invalid') return error(400, 'Your request contains invalid JSON.', 'INVALID_PARAMETER');
  const value = call.body.kind === 'json' ? call.body.value : undefined;
  if (call.body.kind === 'none') return error(400, `Your request is missing the ${names[0]} parameter.`, 'MISSING_PARAMETER');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return error(400, 'Your request body must be a JSON object.', 'INVALID_PARAMETER');
  const fields = value as Record<string, unknown>;
  const absent = names.find((name) => typeof fields[name] !== 'string' || fields[name] === '');
  return absent ? error(400, `Your request is missing the ${absent} parameter.`, 'MISSING_PARAMETER') : { fields: fields as Record<string, unknown> & Record<N, string> };
}

/** `/a/b/` and `/a/b` are the same folder; so are `a/b` and `/a/b`. */
function folderOf(path: string): string {
  return `/${path.split('/').filter(Boolean).join('/')}`;
}

/**
 * How the sandbox refuses a copy or move, in ImageKit's words, or null to start it. In order: a
 * root source (400 `SOURCE_IS_ROOT`), the same source and destination (400
 * `SAME_SOURCE_AND_DESTINATION`), nothing at the source (a path containing `empty` or ending in
 * `/nothing`: 404 `NO_FILES_FOLDER`), a source or destination ending in `/locked` (423).
 */
function folderRefusal(source: string, destination: string): Reply | null {
  const from = folderOf(source);
  if (from === '/') return error(400, 'sourceFolderPath cannot be the root folder.', 'SOURCE_IS_ROOT');
  if (from === folderOf(destination)) return error(400, 'sourceFolderPath and destinationPath cannot be the same.', 'SAME_SOURCE_AND_DESTINATION');
  return emptyRefusal(from) ?? lockedRefusal(from, folderOf(destination));
}

/**
 * How the sandbox refuses a rename, or null to start it: a root folder (400 `SOURCE_IS_ROOT`), the
 * folder's own name (400 `SAME_SOURCE_AND_DESTINATION`), nothing there (404), a folder ending in
 * `/locked` (423), a new name containing `exists` (409: a folder of that name is already there).
 */
function renameRefusal(folderPath: string, newFolderName: string): Reply | null {
  const folder = folderOf(folderPath);
  if (folder === '/') return error(400, 'folderPath cannot be the root folder.', 'SOURCE_IS_ROOT');
  if (folder.split('/').pop() === newFolderName) return error(400, 'newFolderName is the folder\'s current name.', 'SAME_SOURCE_AND_DESTINATION');
  const refusal = emptyRefusal(folder) ?? lockedRefusal(folder, null);
  if (refusal) return refusal;
  return newFolderName.toLowerCase().includes('exists') ? error(409, `Folder with name ${newFolderName} already exists.`) : null;
}

function emptyRefusal(source: string): Reply | null {
  const lower = source.toLowerCase();
  if (!lower.includes('empty') && !lower.endsWith('/nothing')) return null;
  return error(404, `No files & folder found at sourceFolderPath ${source}`, 'NO_FILES_FOLDER');
}

/** ImageKit's 423 carries no reason, only its message. */
function lockedRefusal(source: string, destination: string | null): Reply | null {
  if (source.toLowerCase().endsWith('/locked')) return error(423, 'A bulk job is running on given folder path');
  if (destination?.toLowerCase().endsWith('/locked')) return error(423, 'Destination folder path is already locked');
  return null;
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
