import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stateOf } from '../../src/providers/catalog.js';
import { parseJobStatus, parseJobStatuses, parseZendeskJson } from '../../src/providers/zendesk/client.js';

interface Recording {
  readonly request: string;
  readonly status: number;
  readonly body: unknown;
}

const FIXTURE = new URL('../fixtures/zendesk-job-statuses.recorded.json', import.meta.url);
const recordings = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Recording[];
const jobStatusOf = (recording: Recording) => (recording.body as { job_status: Record<string, unknown> }).job_status;

describe('parseJobStatus over the recorded Zendesk answers', () => {
  it('reads every recording, wrapped and unwrapped alike', () => {
    expect(recordings.length).toBeGreaterThan(0);
    for (const recording of recordings) {
      const wrapped = parseJobStatus(recording.body);
      expect(wrapped?.id).toBe(jobStatusOf(recording).id);
      expect(wrapped?.said).not.toBeNull();
      expect(parseJobStatus(jobStatusOf(recording))).toEqual(wrapped);
    }
  });

  it('reads the queued answers of the bulk calls that start jobs', () => {
    const starts = recordings.filter((r) => !r.request.startsWith('GET '));
    expect(starts.length).toBeGreaterThan(0);
    for (const start of starts) {
      const said = parseJobStatus(start.body)!.said!;
      expect(said.rawStatus).toBe('queued');
      expect(stateOf('ZENDESK', said.rawStatus)).toEqual({ state: 'QUEUED', done: false });
      expect(said.progress).toBeNull();
      expect(said.message).toBeNull();
      expect(said.details).toMatchObject({ kind: 'ZENDESK_JOB_STATUS', results: null, jobType: null });
    }
  });

  it('follows one job from queued through working to completed', () => {
    const id = 'V3-eb3753c8075be0c165b61b89a50ea0aa';
    const lifecycle = recordings.filter((r) => jobStatusOf(r).id === id).map((r) => parseJobStatus(r.body)!.said!);
    const byStatus = Object.fromEntries(lifecycle.map((said) => [said.rawStatus, said]));
    expect(Object.keys(byStatus).sort()).toEqual(['completed', 'queued', 'working']);

    expect(byStatus.working).toMatchObject({
      progress: { completed: 17, total: 30, percent: 56.67 },
      message: 'Deleting Organization #17',
      details: { kind: 'ZENDESK_JOB_STATUS', total: 30, results: null, url: `https://nodejsapi.zendesk.com/api/v2/job_statuses/${id}.json` },
    });
    expect(stateOf('ZENDESK', 'working')).toEqual({ state: 'RUNNING', done: false });

    const completed = byStatus.completed!;
    expect(completed.progress).toEqual({ completed: 30, total: 30, percent: 100 });
    expect(completed.message).toBe('Completed at 2023-10-08 17:58:53 +0000');
    expect(stateOf('ZENDESK', completed.rawStatus)).toEqual({ state: 'COMPLETED', done: true });
    const results = completed.details.kind === 'ZENDESK_JOB_STATUS' ? completed.details.results : null;
    expect(results).toHaveLength(30);
    expect(results![0]).toEqual({
      id: '19856666514068',
      index: null,
      action: 'delete',
      success: true,
      status: 'Deleted',
      error: null,
      details: null,
      title: null,
      externalId: null,
    });
  });

  it('keeps every result id of every recording as the exact decimal string', () => {
    for (const recording of recordings) {
      const raw = (jobStatusOf(recording).results ?? []) as Array<{ id?: number }>;
      const said = parseJobStatus(parseZendeskJson(JSON.stringify(recording.body)))!.said!;
      const results = said.details.kind === 'ZENDESK_JOB_STATUS' ? (said.details.results ?? []) : [];
      expect(results.map((r) => r.id)).toEqual(raw.map((r) => (r.id === undefined ? null : String(r.id))));
    }
  });
});

describe('parseZendeskJson', () => {
  it('keeps integer ids above 2^53 exact', () => {
    const text = '{"job_status":{"id":"V3-x","status":"completed","results":[{"id": 9007199254740993,"index":0},{"id":12345678901234567890,"success":true}]}}';
    const said = parseJobStatus(parseZendeskJson(text))!.said!;
    const results = said.details.kind === 'ZENDESK_JOB_STATUS' ? said.details.results : null;
    expect(results?.map((r) => r.id)).toEqual(['9007199254740993', '12345678901234567890']);
    expect(results?.[0]?.index).toBe(0);
  });

  it('leaves "id" inside string values alone', () => {
    const text = '{"message":"{\\"id\\": 9007199254740993}","results":[{"title":"a,\\"id\\":12"}],"total":12}';
    expect(parseZendeskJson(text)).toEqual({ message: '{"id": 9007199254740993}', results: [{ title: 'a,"id":12' }], total: 12 });
  });

  it('leaves non-integer ids and other keys alone', () => {
    expect(parseZendeskJson('{"id":"V3-a","xid":12,"results":[{"id":1.5},{"id":-7}]}')).toEqual({
      id: 'V3-a',
      xid: 12,
      results: [{ id: 1.5 }, { id: '-7' }],
    });
  });
});

describe('tolerance', () => {
  it('reads a minimal status, unknown fields and odd optional fields as null', () => {
    const status = parseJobStatus({ id: 'V3-a', status: 'killed', progress: 'lots', url: 7, brandNew: { x: 1 } });
    expect(status).toEqual({
      id: 'V3-a',
      said: {
        rawStatus: 'killed',
        progress: null,
        message: null,
        details: { kind: 'ZENDESK_JOB_STATUS', url: null, total: null, jobType: null, results: null },
      },
    });
  });

  it('reads {"success": true} results as no per-item results', () => {
    const said = parseJobStatus({ job_status: { id: 'V3-b', status: 'completed', results: { success: true }, job_type: 'bulk_import' } })!.said!;
    expect(said.details).toMatchObject({ results: null, jobType: 'bulk_import' });
  });

  it('keeps numeric ids and external ids as strings', () => {
    const said = parseJobStatus({ id: 42, status: 'completed', results: [{ id: 5, external_id: 77, index: 1, error: 'PermissionDenied', details: 'no' }] });
    expect(said?.id).toBe('42');
    const results = said!.said!.details.kind === 'ZENDESK_JOB_STATUS' ? said!.said!.details.results : null;
    expect(results?.[0]).toMatchObject({ id: '5', externalId: '77', index: 1, error: 'PermissionDenied', details: 'no' });
  });

  it('gives a status without a status word a null reading, and nothing without an id', () => {
    expect(parseJobStatus({ job_status: { id: 'V3-c' } })).toEqual({ id: 'V3-c', said: null });
    expect(parseJobStatus({ job_status: { status: 'queued' } })).toBeNull();
    expect(parseJobStatus('nope')).toBeNull();
  });

  it('reads show_many answers wrapped or bare', () => {
    const items = [{ id: 'V3-a', status: 'queued' }, { nope: true }, { id: 'V3-b', status: 'working' }];
    expect(parseJobStatuses({ job_statuses: items })?.map((s) => s.id)).toEqual(['V3-a', 'V3-b']);
    expect(parseJobStatuses(items)?.map((s) => s.id)).toEqual(['V3-a', 'V3-b']);
    expect(parseJobStatuses({ job_status: items[0] })).toBeNull();
  });
});
