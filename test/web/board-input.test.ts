/** The board's pure helpers: the track form's checks and how times and progress read. */
import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../web/src/api.js';
import { demoStamp } from '../../web/src/demo-jobs.js';
import { durationText, percentOf, relativeTime } from '../../web/src/format.js';
import { parseLabels, trackRequestOf } from '../../web/src/track-input.js';

describe('track form', () => {
  const form = { kind: 'ZENDESK_JOB_STATUS', id: ' 123 ', account: '', labels: 'a, b,,a , ' } as const;

  it('trims the id, omits an empty account and splits the labels', () => {
    expect(parseLabels(' x ,y,, x')).toEqual(['x', 'y']);
    expect(trackRequestOf(form)).toEqual({ ok: true, refs: [{ kind: 'ZENDESK_JOB_STATUS', id: '123' }], labels: ['a', 'b'] });
    expect(trackRequestOf({ ...form, account: ' eu ' })).toMatchObject({ refs: [{ account: 'eu' }] });
  });

  it('names the field that is wrong', () => {
    expect(trackRequestOf({ ...form, id: '  ' })).toMatchObject({ ok: false, field: 'id' });
    const eleven = Array.from({ length: 11 }, (_, i) => `l${i}`).join(',');
    expect(trackRequestOf({ ...form, labels: eleven })).toMatchObject({ ok: false, field: 'labels' });
    expect(trackRequestOf({ ...form, labels: 'x'.repeat(129) })).toMatchObject({ ok: false, field: 'labels' });
    expect(trackRequestOf({ ...form, labels: 'tab\there' })).toMatchObject({ ok: false, field: 'labels' });
  });
});

describe('board formatting', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');

  it('says times relative to now', () => {
    expect(relativeTime('2024-05-01T12:00:02Z', now)).toBe('now');
    expect(relativeTime('2024-05-01T11:59:30Z', now)).toBe('30 seconds ago');
    expect(relativeTime('2024-05-01T11:55:00Z', now)).toBe('5 minutes ago');
    expect(relativeTime('2024-04-29T12:00:00Z', now)).toBe('2 days ago');
    expect(relativeTime('not a time', now)).toBe('not a time');
    // Later than the page's clock (it ticks; the server's may run ahead): still "now", never "in 6 seconds".
    expect(relativeTime('2024-05-01T12:00:06Z', now)).toBe('now');
    expect(relativeTime('2024-05-01T12:05:00Z', now)).toBe('now');
  });

  it('says durations in at most two units', () => {
    expect(durationText(850)).toBe('850 ms');
    expect(durationText(42_000)).toBe('42 s');
    expect(durationText(3_900_000)).toBe('1 h 5 min');
    expect(durationText(90_061_000)).toBe('1 d 1 h');
  });

  it('clamps and rounds percentages', () => {
    expect([percentOf(-3), percentOf(33.4), percentOf(99.6), percentOf(140), percentOf(Number.NaN)]).toEqual([0, 33, 100, 100, 0]);
  });

  it('stamps demo ids uniquely per time and draw', () => {
    expect(demoStamp(1_700_000_000_000, 0)).not.toBe(demoStamp(1_700_000_000_000, 0.5));
    expect(demoStamp(1_700_000_000_000, 0.999)).toMatch(/^[0-9a-z]+$/);
  });
});

describe('reconnection backoff', () => {
  it('doubles from 0.5 s up to 30 s, with up to a quarter more at random', () => {
    expect([0, 1, 2, 3].map((retries) => retryDelayMs(retries, 0))).toEqual([500, 1000, 2000, 4000]);
    expect(retryDelayMs(6, 0)).toBe(30_000);
    expect(retryDelayMs(40, 0)).toBe(30_000);
    expect(retryDelayMs(1, 0.999)).toBeGreaterThan(1000);
    expect(retryDelayMs(1, 0.999)).toBeLessThan(1250);
  });
});
