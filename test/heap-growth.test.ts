import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const module = fileURLToPath(new URL('../src/heap-growth.ts', import.meta.url));
const run = promisify(execFile);

/**
 * The heap's peak size in a child process that keeps 200 000 objects alive while replacing them
 * (each lives long enough to reach the old generation, then becomes garbage there): what a busy
 * service's subscriptions and events do to the heap. Runs in slices, so that the heap is looked at.
 */
async function peakHeapMb(percent: number, fromBytes: number): Promise<number> {
  const script = `
    import { getHeapStatistics } from 'node:v8';
    import { limitHeapGrowth } from ${JSON.stringify(module)};
    limitHeapGrowth({ percent: ${percent}, fromBytes: ${fromBytes}, everyMs: 5 });
    const ring = new Array(200000); let peak = 0;
    for (let step = 0; step < 4000000; step++) {
      ring[step % ring.length] = { text: 'x' + step, list: [step] };
      if (step % 50000 === 0) {
        peak = Math.max(peak, getHeapStatistics().total_heap_size);
        await new Promise((resolve) => setTimeout(resolve, 6));
      }
    }
    process.stdout.write(String(peak / 1e6));`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return Number(stdout);
}

describe('limitHeapGrowth', () => {
  it('keeps a large heap nearer its live size than V8 left to itself, and leaves a small one alone', async () => {
    const [own, limited, belowThreshold] = await Promise.all([
      peakHeapMb(0, 0),
      peakHeapMb(30, 8 * 1024 * 1024),
      peakHeapMb(30, 4 * 1024 * 1024 * 1024),
    ]);
    expect(limited).toBeLessThan(own * 0.8);
    expect(belowThreshold).toBeGreaterThan(own * 0.8);
  }, 60_000);
});
