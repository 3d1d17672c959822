/**
 * `startBenchUpstream` in a child process of its own (forked by `processes.ts`): options come in
 * `BENCH_UPSTREAM_OPTIONS`, queries about counts and answer times come over IPC.
 */
import { type BenchUpstreamOptions, startBenchUpstream } from './upstream.js';

interface Ask {
  readonly id: number;
  readonly type: 'counts' | 'answers';
}

const options = JSON.parse(process.env.BENCH_UPSTREAM_OPTIONS ?? '{}') as BenchUpstreamOptions;
const upstream = await startBenchUpstream(options);
process.send?.({ type: 'ready', url: upstream.url });
process.on('message', (ask: Ask) => {
  const result = ask.type === 'counts' ? upstream.counts() : upstream.answers();
  process.send?.({ type: 'answer', id: ask.id, result });
});
// The parent going away (or closing the channel) ends this process.
process.on('disconnect', () => void upstream.close().then(() => process.exit(0)));
