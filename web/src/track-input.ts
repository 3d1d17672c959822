/**
 * The track form's fields → the `trackJobs` variables, with the API's own limits checked first
 * (at most 10 labels, each 1–128 characters without control characters) so that a mistake is
 * named next to the field rather than as a server error.
 */
import type { JobKind, JobRef } from './gql/graphql.js';

export interface TrackForm {
  readonly kind: JobKind;
  readonly id: string;
  readonly account: string;
  /** Comma-separated. */
  readonly labels: string;
}

export type TrackRequest =
  | { readonly ok: true; readonly refs: JobRef[]; readonly labels: string[] }
  | { readonly ok: false; readonly field: 'id' | 'labels'; readonly message: string };

export const MAX_LABELS = 10;
export const MAX_LABEL_LENGTH = 128;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Splits "a, b,,c" into ["a", "b", "c"]: trimmed, empty ones dropped, duplicates once. */
export function parseLabels(text: string): string[] {
  return [...new Set(text.split(',').map((label) => label.trim()).filter((label) => label.length > 0))];
}

/** The request for `form`, or which field is wrong and why. */
export function trackRequestOf(form: TrackForm): TrackRequest {
  const id = form.id.trim();
  if (!id) return { ok: false, field: 'id', message: 'Enter the job id the provider gave.' };
  const labels = parseLabels(form.labels);
  if (labels.length > MAX_LABELS) return { ok: false, field: 'labels', message: `At most ${MAX_LABELS} labels.` };
  const bad = labels.find((label) => label.length > MAX_LABEL_LENGTH || CONTROL.test(label));
  if (bad !== undefined) {
    return { ok: false, field: 'labels', message: `Labels are at most ${MAX_LABEL_LENGTH} characters, without control characters.` };
  }
  const account = form.account.trim();
  const ref: JobRef = account ? { kind: form.kind, id, account } : { kind: form.kind, id };
  return { ok: true, refs: [ref], labels };
}
