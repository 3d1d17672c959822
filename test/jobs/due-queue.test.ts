import { describe, expect, it } from 'vitest';
import { DueQueue } from '../../src/jobs/due-queue.js';

type Entry = { name: string; dueAt: number | null; dueVersion: number; live: boolean };
const entry = (name: string): Entry => ({ name, dueAt: null, dueVersion: 0, live: true });

describe('due queue', () => {
  it('hands out the live entries due by a time, earliest first, each at its latest due time', () => {
    const queue = new DueQueue<Entry>((each) => each.live);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(entry) as [Entry, Entry, Entry, Entry];
    queue.set(a, 30);
    queue.set(b, 10);
    queue.set(c, 20);
    queue.set(d, 5);
    queue.set(a, 15); // moved earlier: its item at 30 is stale
    queue.set(c, 50); // moved later: its item at 20 is stale
    d.live = false; // released
    expect(queue.earliest()).toBe(10);
    expect(queue.takeUntil(40).map((each) => each.name)).toEqual(['b', 'a']);
    expect(queue.earliest()).toBe(50);
    expect(queue.takeUntil(100).map((each) => each.name)).toEqual(['c']);
    expect(queue.earliest()).toBe(Infinity);
  });

  it('forgets an entry set to null, and gives back one that was restored', () => {
    const queue = new DueQueue<Entry>((each) => each.live);
    const [a, b] = [entry('a'), entry('b')];
    queue.set(a, 10);
    queue.set(b, 20);
    queue.set(a, null);
    const [taken] = queue.takeUntil(25);
    expect(taken?.name).toBe('b');
    queue.restore(b);
    expect(queue.earliest()).toBe(20);
    expect(queue.takeUntil(25).map((each) => each.name)).toEqual(['b']);
  });

  it('rebuilds itself from the live entries once stale items outnumber them', () => {
    const queue = new DueQueue<Entry>((each) => each.live);
    const a = entry('a');
    for (let at = 1000; at > 0; at--) queue.set(a, at);
    expect((queue as unknown as { heap: { length: number } }).heap.length).toBe(1000);
    queue.compact([a], 1);
    expect((queue as unknown as { heap: { length: number } }).heap.length).toBe(1);
    expect(queue.takeUntil(1000).map((each) => each.name)).toEqual(['a']);
    expect(a.dueAt).toBe(1);
  });
});
