import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/jobs/event-queue.js';
import { onStop } from '../../src/jobs/on-stop.js';

describe('EventQueue', () => {
  it('starts on the first next(), hands out pushes in order, and cleans up once when the producer ends', async () => {
    let begun = 0;
    let cleaned = 0;
    let producer: EventQueue<number> | null = null;
    const queue = new EventQueue<number>((q) => {
      begun += 1;
      producer = q;
      q.push(1);
      return () => void (cleaned += 1);
    });
    expect(begun).toBe(0);
    expect(await queue.next()).toEqual({ value: 1, done: false });
    const waiting = queue.next();
    producer!.push(2);
    producer!.push(3);
    producer!.end();
    producer!.push(4);
    expect(cleaned).toBe(1);
    expect(await waiting).toEqual({ value: 2, done: false });
    expect(await queue.next()).toEqual({ value: 3, done: false });
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    expect([begun, cleaned]).toEqual([1, 1]);
  });

  it('on return() drops what is buffered, settles a waiting next() as done, and cleans up once', async () => {
    let cleaned = 0;
    let producer: EventQueue<string> | null = null;
    const queue = new EventQueue<string>((q) => {
      producer = q;
      return () => void (cleaned += 1);
    });
    const waiting = queue.next();
    expect(await queue.return()).toEqual({ value: undefined, done: true });
    expect(await waiting).toEqual({ value: undefined, done: true });
    producer!.push('late');
    await queue.return();
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    expect(cleaned).toBe(1);
  });

  it('never begins when returned before the first next()', async () => {
    let begun = 0;
    const queue = new EventQueue<number>(() => {
      begun += 1;
      return () => {};
    });
    await queue.return();
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    expect(begun).toBe(0);
  });

  it('rejects one next() with the producer’s failure, after what was buffered, then is done', async () => {
    let cleaned = 0;
    const queue = new EventQueue<number>((q) => {
      q.push(1);
      q.fail(new Error('load failed'));
      return () => void (cleaned += 1);
    });
    expect(await queue.next()).toEqual({ value: 1, done: false });
    await expect(queue.next()).rejects.toThrow('load failed');
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    expect(cleaned).toBe(1);
  });

  it('take() offers buffered values, then each push at once, until the sink declines one, which settles it', async () => {
    let producer: EventQueue<number> | null = null;
    const queue = new EventQueue<number>((q) => {
      producer = q;
      q.push(1);
      return () => {};
    });
    const taken: number[] = [];
    const sink = (value: number) => (value % 3 === 0 ? false : (taken.push(value), true));
    const waiting = queue.take(sink);
    expect(taken).toEqual([1]);
    producer!.push(2);
    // Within the push itself: no promise between a value and its sink.
    expect(taken).toEqual([1, 2]);
    producer!.push(3);
    producer!.push(4);
    expect(await waiting).toEqual({ value: 3, done: false });
    // Settled: what comes next waits in the buffer for the next call.
    expect(taken).toEqual([1, 2]);
    const again = queue.take(sink);
    expect(taken).toEqual([1, 2, 4]);
    producer!.push(5);
    producer!.push(6);
    expect(await again).toEqual({ value: 6, done: false });
    expect(taken).toEqual([1, 2, 4, 5]);
  });

  it('take() ends as next() does: done when the producer ends, rejected once when it fails', async () => {
    let producer: EventQueue<number> | null = null;
    const queue = new EventQueue<number>((q) => ((producer = q), () => {}));
    const ending = queue.take(() => true);
    producer!.end();
    expect(await ending).toEqual({ value: undefined, done: true });

    let failing: EventQueue<number> | null = null;
    const failed = new EventQueue<number>((q) => ((failing = q), () => {}));
    const rejected = failed.take(() => true);
    failing!.fail(new Error('gone'));
    await expect(rejected).rejects.toThrow('gone');
    expect(await failed.take(() => true)).toEqual({ value: undefined, done: true });
  });
});

describe('onStop', () => {
  it('keeps one listener on the signal however many callbacks wait, and calls those still registered once', () => {
    const controller = new AbortController();
    const calls: number[] = [];
    const removers = Array.from({ length: 1000 }, (_, i) => onStop(controller.signal, () => calls.push(i)));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    removers.slice(0, 998).forEach((remove) => remove());
    controller.abort();
    controller.abort();
    expect(calls).toEqual([998, 999]);
  });

  it('calls at once for a signal already aborted', () => {
    const calls: string[] = [];
    onStop(AbortSignal.abort(), () => calls.push('now'));
    expect(calls).toEqual(['now']);
  });
});
