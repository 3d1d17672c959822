/**
 * `/ready` under a sustained event-loop delay: the instance says it is overloaded (503, with the
 * reason) so that a load balancer sends new subscribers elsewhere, and says ready again by itself
 * once its event loop keeps time. The service runs in a child process whose loop a test hook
 * really blocks (`child-app.ts`), so the delay is measured by Node as it would be in production.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildInstance, startChildInstance } from '../support/cluster.js';
import { waitFor } from '../support/wait.js';

interface Readiness {
  readonly status: number;
  readonly body: { status: string; problems?: string[] };
}

async function readiness(instance: ChildInstance): Promise<Readiness> {
  const response = await fetch(instance.url.replace('/graphql', '/ready'));
  return { status: response.status, body: (await response.json()) as Readiness['body'] };
}

async function metric(instance: ChildInstance, name: string): Promise<number> {
  const text = await (await fetch(instance.url.replace('/graphql', '/metrics'))).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  if (!line) throw new Error(`no ${name} in /metrics`);
  return Number(line.slice(name.length + 1));
}

describe('/ready and the event loop', () => {
  let instance: ChildInstance | undefined;
  afterEach(async () => {
    await instance?.kill();
    instance = undefined;
  });

  it('answers 503 with the reason while the event loop stays late, and 200 again once it keeps time', async () => {
    instance = await startChildInstance({ DATABASE_URL: 'memory:', READY_MAX_EVENT_LOOP_DELAY_MS: '100' });
    const child = instance;
    await waitFor(async () => (await readiness(child)).status === 200, { timeoutMs: 20_000, what: 'ready at first' });

    // Blocks of 300 ms, turn after turn: every second's p99 delay is about 300 ms, above 100.
    child.stall(300);
    const overloaded = await waitFor(async () => {
      const answer = await readiness(child);
      return answer.status === 503 ? answer : null;
    }, { timeoutMs: 30_000, what: '503 while stalled' });
    expect(overloaded.body.status).toBe('not ready');
    expect(overloaded.body.problems).toEqual([expect.stringMatching(/^event loop delay: p99 at least \d+ ms in each of the last 3 s, above READY_MAX_EVENT_LOOP_DELAY_MS \(100 ms\)$/)]);
    expect(await metric(child, 'jsg_event_loop_delay_p99_seconds')).toBeGreaterThan(0.1);

    child.stall(0);
    const recovered = await waitFor(async () => {
      const answer = await readiness(child);
      return answer.status === 200 ? answer : null;
    }, { timeoutMs: 30_000, what: 'ready again once calm' });
    expect(recovered.body).toEqual({ status: 'ready' });
    expect(await metric(child, 'jsg_ready_event_loop_overloaded')).toBe(0);
  }, 180_000);
});
