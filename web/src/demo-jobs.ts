/**
 * What the sandbox demo panel starts: one job of every kind, and one of each ImageKit refusal.
 * Paths and ids are fresh per click (`demo-<time>`), so every click is a new job; the refusals
 * use the sandbox's conventions (a source path ending `/locked` is locked, identical source and
 * destination, a source folder with nothing in it, a rename onto a name that exists, the root
 * folder as the source): one of each reason a `JobRejectedError` carries.
 */
import type {
  CopyImageKitFolderInput,
  JobKind,
  MoveImageKitFolderInput,
  PurgeImageKitCacheInput,
  RenameImageKitFolderInput,
} from './gql/graphql.js';

export type DemoStart =
  | { readonly mutation: 'copy'; readonly input: CopyImageKitFolderInput }
  | { readonly mutation: 'move'; readonly input: MoveImageKitFolderInput }
  | { readonly mutation: 'rename'; readonly input: RenameImageKitFolderInput }
  | { readonly mutation: 'purge'; readonly input: PurgeImageKitCacheInput }
  | { readonly mutation: 'track'; readonly kind: JobKind; readonly id: string };

export interface DemoButton {
  readonly label: string;
  /** What the click is expected to show: a new job, or the refusal's reason. */
  readonly expect: string;
  readonly start: (stamp: string) => DemoStart;
}

const LABELS = ['demo'];

export const DEMO_JOBS: readonly DemoButton[] = [
  {
    label: 'Copy a folder',
    expect: 'ImageKit bulk job',
    start: (s) => ({ mutation: 'copy', input: { sourceFolderPath: `/demo/photos-${s}`, destinationPath: `/demo/copy-${s}`, labels: LABELS } }),
  },
  {
    label: 'Move a folder',
    expect: 'ImageKit bulk job',
    start: (s) => ({ mutation: 'move', input: { sourceFolderPath: `/demo/inbox-${s}`, destinationPath: `/demo/archive-${s}`, labels: LABELS } }),
  },
  {
    label: 'Rename a folder (and purge)',
    expect: 'ImageKit bulk job',
    start: (s) => ({ mutation: 'rename', input: { folderPath: `/demo/old-${s}`, newFolderName: `new-${s}`, purgeCache: true, labels: LABELS } }),
  },
  {
    label: 'Purge a URL',
    expect: 'ImageKit purge request',
    start: (s) => ({ mutation: 'purge', input: { url: `https://ik.imagekit.io/demo/${s}.jpg`, labels: LABELS } }),
  },
  { label: 'Zendesk job', expect: 'Zendesk job status', start: (s) => ({ mutation: 'track', kind: 'ZENDESK_JOB_STATUS', id: `demo-${s}` }) },
  // The sandbox fails every Zendesk id containing "fail" part-way: what a failure looks like.
  { label: 'Zendesk job that fails', expect: 'Zendesk job status, fails part-way', start: (s) => ({ mutation: 'track', kind: 'ZENDESK_JOB_STATUS', id: `demo-fail-${s}` }) },
  { label: 'SAYMON operation', expect: 'SAYMON bulk operation', start: (s) => ({ mutation: 'track', kind: 'SAYMON_BULK_OP', id: `demo-${s}` }) },
];

export const DEMO_REFUSALS: readonly DemoButton[] = [
  {
    label: 'Locked folder',
    expect: '423 LOCKED',
    start: (s) => ({ mutation: 'copy', input: { sourceFolderPath: `/demo/${s}/locked`, destinationPath: `/demo/copy-${s}`, labels: LABELS } }),
  },
  {
    label: 'Same source and destination',
    expect: '400 SAME_SOURCE_AND_DESTINATION',
    start: (s) => ({ mutation: 'copy', input: { sourceFolderPath: `/demo/same-${s}`, destinationPath: `/demo/same-${s}`, labels: LABELS } }),
  },
  {
    label: 'Empty folder',
    expect: '404 NO_FILES_FOLDER',
    start: (s) => ({ mutation: 'move', input: { sourceFolderPath: `/demo/empty-${s}/empty`, destinationPath: `/demo/archive-${s}`, labels: LABELS } }),
  },
  {
    label: 'Copy the root folder',
    expect: '400 SOURCE_IS_ROOT',
    start: (s) => ({ mutation: 'copy', input: { sourceFolderPath: '/', destinationPath: `/demo/copy-${s}`, labels: LABELS } }),
  },
  {
    label: 'Rename onto an existing name',
    expect: '409 CONFLICT',
    start: (s) => ({ mutation: 'rename', input: { folderPath: `/demo/old-${s}`, newFolderName: 'exists', labels: LABELS } }),
  },
];

/** A short, unique-enough stamp for demo ids and paths: base-36 time plus a random tail. */
export function demoStamp(now: number, random: number): string {
  return `${now.toString(36)}${Math.floor(random * 1296).toString(36).padStart(2, '0')}`;
}
