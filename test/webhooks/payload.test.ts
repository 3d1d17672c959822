import { describe, expect, it } from 'vitest';
import { WEBHOOK_EVENTS, eventType, jobEventBody, testEventBody } from '../../src/webhooks/payload.js';

describe('webhook event bodies', () => {
  it('map the schema events to body types', () => {
    expect(WEBHOOK_EVENTS.map(eventType)).toEqual(['job.tracked', 'job.changed', 'job.finished']);
  });

  it('wrap the job and the previous state in the envelope', () => {
    const job = { id: 'WmVuZGVza0pvYlN0YXR1czpWMy1hYmM=', kind: 'ZENDESK_JOB_STATUS', state: 'COMPLETED', done: true, progress: { percent: 100 } };
    const body = jobEventBody('job.finished', { job, previousState: 'RUNNING', at: Date.UTC(2025, 0, 2, 3, 4, 5) });
    expect(JSON.parse(body)).toEqual({
      type: 'job.finished',
      timestamp: '2025-01-02T03:04:05.000Z',
      data: { job, previousState: 'RUNNING' },
    });
    expect(Object.keys(JSON.parse(body) as object)).toEqual(['type', 'timestamp', 'data']);
  });

  it('a tracked job has no previous state', () => {
    const body = jobEventBody('job.tracked', { job: { id: 'x' }, at: 0 });
    expect(JSON.parse(body)).toEqual({ type: 'job.tracked', timestamp: '1970-01-01T00:00:00.000Z', data: { job: { id: 'x' }, previousState: null } });
  });

  it('the test event names the webhook', () => {
    expect(JSON.parse(testEventBody({ webhookId: 'V2ViaG9vazox', at: 0 }))).toEqual({
      type: 'webhook.test',
      timestamp: '1970-01-01T00:00:00.000Z',
      data: { webhook: { id: 'V2ViaG9vazox' } },
    });
  });
});
