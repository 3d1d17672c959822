/**
 * Zendesk's wire format: job statuses as `show_many` answers them, read with zod into what the
 * outcome builder takes (`Said`), and the JSON reading that keeps int64 result ids exact.
 */
import { z } from 'zod';
import { type ZendeskJobResult, progressOf } from '../../jobs/model.js';
import type { Said } from '../outcome.js';

/**
 * Per-item results kept per job; the rest are dropped (`resultsTotal` says how many there were).
 * A job of a million results would otherwise be cached, and serialised on every read, whole.
 */
export const MAX_RESULTS_KEPT = 1000;
/** The GraphQL `Int` range: a count outside it could not be answered, so it reads as absent. */
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/** An optional field: absent, null or of an unexpected type all read as null, so one odd field spoils nothing. */
const optional = <T extends z.ZodType>(schema: T) =>
  schema
    .nullish()
    .transform((value) => value ?? null)
    .catch(null);
const idLike = z.union([z.string(), z.number().transform(String)]);
const graphqlInt = z.number().int().min(INT_MIN).max(INT_MAX);

/** One per-item result; every field optional and varying by job type. */
const ResultWire = z.looseObject({
  id: optional(idLike),
  index: optional(graphqlInt),
  action: optional(z.string()),
  success: optional(z.boolean()),
  status: optional(z.string()),
  error: optional(z.string()),
  details: optional(z.string()),
  title: optional(z.string()),
  external_id: optional(idLike),
});

const JobStatusWire = z.looseObject({
  id: idLike,
  status: z.string().optional(),
  url: optional(z.string()),
  total: optional(graphqlInt),
  progress: optional(graphqlInt),
  message: optional(z.string()),
  results: z.unknown().optional(),
  job_type: optional(z.string()),
});

/** One job status as Zendesk said it; `said` is null when the entry has an id but no readable status. */
export interface ZendeskJobStatusWire {
  readonly id: string;
  readonly said: Said | null;
}

/**
 * Reads one job status, wrapped (`{"job_status": {…}}`, current docs) or bare (very old docs).
 * Null when there is no job status with an id in it.
 */
export function parseJobStatus(body: unknown): ZendeskJobStatusWire | null {
  const wrapped = z.looseObject({ job_status: z.unknown() }).safeParse(body);
  return readJobStatus(wrapped.success && wrapped.data.job_status !== undefined ? wrapped.data.job_status : body);
}

/** Reads a `show_many` answer: `{"job_statuses": […]}`, or a bare array. Null when it is neither. */
export function parseJobStatuses(body: unknown): ZendeskJobStatusWire[] | null {
  const list = Array.isArray(body) ? body : z.looseObject({ job_statuses: z.array(z.unknown()) }).safeParse(body).data?.job_statuses;
  if (!list) return null;
  return list.map(readJobStatus).filter((entry) => entry !== null);
}

/**
 * `JSON.parse` that keeps integer `"id"` values exact: result ids are int64 and may exceed 2^53,
 * so every integer value of an `"id"` key is quoted before parsing. Other keys (`index`, `total`)
 * stay numbers. Linear in the text (see `quoteIntegerIds`); the body's size is capped upstream.
 */
export function parseZendeskJson(text: string): unknown {
  return JSON.parse(quoteIntegerIds(text));
}

const isJsonSpace = (char: string | undefined) => char === ' ' || char === '\n' || char === '\r' || char === '\t';
const isDigit = (char: string | undefined) => char !== undefined && char >= '0' && char <= '9';

/**
 * Quotes the integer value of every `"id"` key: `{"id": 12345678901234567890}` becomes
 * `{"id": "12345678901234567890"}`. One pass over the text that steps over string contents (so a
 * `"id":1` inside a message is left alone); each character is looked at a bounded number of times,
 * whatever the whitespace (a backtracking regular expression was quadratic on long runs of it).
 * Text that is not JSON comes out as changed as it can be and fails in `JSON.parse`.
 */
export function quoteIntegerIds(text: string): string {
  const out: string[] = [];
  let copied = 0;
  /** The last character outside strings and whitespace: a key follows `{` or `,`. */
  let previous = '';
  let at = 0;
  while (at < text.length) {
    const char = text[at]!;
    if (char !== '"') {
      if (!isJsonSpace(char)) previous = char;
      at++;
      continue;
    }
    let end = at + 1;
    while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
    if (end >= text.length) break; // an unterminated string: JSON.parse will say so
    const isIdKey = (previous === '{' || previous === ',') && end === at + 3 && text[at + 1] === 'i' && text[at + 2] === 'd';
    previous = '"';
    at = end + 1;
    if (!isIdKey) continue;
    let cursor = at;
    while (isJsonSpace(text[cursor])) cursor++;
    if (text[cursor] !== ':') continue;
    cursor++;
    while (isJsonSpace(text[cursor])) cursor++;
    const start = cursor;
    if (text[cursor] === '-') cursor++;
    if (!isDigit(text[cursor])) continue;
    while (isDigit(text[cursor])) cursor++;
    const digitsEnd = cursor;
    while (isJsonSpace(text[cursor])) cursor++;
    if (text[cursor] !== ',' && text[cursor] !== '}') continue;
    out.push(text.slice(copied, start), '"', text.slice(start, digitsEnd), '"');
    copied = digitsEnd;
    previous = '0';
    at = digitsEnd;
  }
  out.push(text.slice(copied));
  return out.join('');
}

function readJobStatus(value: unknown): ZendeskJobStatusWire | null {
  const parsed = JobStatusWire.safeParse(value);
  if (!parsed.success) return null;
  const { id, status, url, total, progress, message, results, job_type } = parsed.data;
  if (status === undefined) return { id, said: null };
  return {
    id,
    said: {
      rawStatus: status,
      progress: progressOf(progress, total),
      message,
      details: {
        kind: 'ZENDESK_JOB_STATUS',
        url,
        total,
        jobType: job_type,
        results: resultsOf(results),
        // Said only when some were dropped; absent, the count is what `results` holds.
        ...(Array.isArray(results) && results.length > MAX_RESULTS_KEPT && { resultsTotal: results.length }),
      },
    },
  };
}

/**
 * Per-item results, or null: while the job runs (`null`), and for job types that answer an object
 * such as `{"success": true}` instead of a list (the schema's `results` is a list of items; an
 * object has no items to show, and `null` says "no per-item results" without inventing any).
 * At most the first `MAX_RESULTS_KEPT` items are kept.
 */
function resultsOf(results: unknown): ZendeskJobResult[] | null {
  if (!Array.isArray(results)) return null;
  return results.slice(0, MAX_RESULTS_KEPT).flatMap((item) => {
    const parsed = ResultWire.safeParse(item);
    if (!parsed.success) return [];
    const { id, index, action, success, status, error, details, title, external_id } = parsed.data;
    return [{ id, index, action, success, status, error, details, title, externalId: external_id }];
  });
}

