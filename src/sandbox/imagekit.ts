/**
 * Simulated ImageKit: bulk folder jobs and CDN purge requests, with ImageKit's paths, Basic auth
 * (private key as username, password ignored), status codes and `{message, help}` error bodies.
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

function error(status: number, message: string): Reply {
  return { status, body: { message, help: HELP } };
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
      return 'status' in body ? body : createBulkJob('COPY_FOLDER', false, 200);
    }),
    route('POST', '/v1/bulkJobs/moveFolder', (call) => {
      const body = requireFields(call, ['sourceFolderPath', 'destinationPath']);
      return 'status' in body ? body : createBulkJob('MOVE_FOLDER', false, 200);
    }),
    route('POST', '/v1/bulkJobs/renameFolder', (call) => {
      const body = requireFields(call, ['folderPath', 'newFolderName']);
      return 'status' in body ? body : createBulkJob('RENAME_FOLDER', body.fields.purgeCache === true, 202);
    }),
    route('POST', '/v1/files/purge', (call) => {
      const body = requireFields(call, ['url']);
      if ('status' in body) return body;
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
function requireFields(call: SandboxCall, names: readonly string[]): Reply | { fields: Record<string, unknown> } {
  if (call.body.kind === 'invalid') return error(400, 'Your request contains invalid JSON.');
  const value = call.body.kind === 'json' ? call.body.value : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return error(400, 'Your request body must be a JSON object.');
  const fields = value as Record<string, unknown>;
  const absent = names.find((name) => typeof fields[name] !== 'string' || fields[name] === '');
  return absent ? error(400, `Your request is missing the ${absent} parameter.`) : { fields };
}
