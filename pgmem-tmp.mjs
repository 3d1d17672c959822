import { PGlite } from '@electric-sql/pglite';
const f = (x) => (x/1e6).toFixed(0);
const m0 = process.memoryUsage();
const pg = new PGlite(process.argv[2] ?? 'memory://', { postgresqlconf: ['shared_buffers = 32MB'] } );
await pg.waitReady; await pg.query('select 1');
const m = process.memoryUsage();
console.log('wasm', f(pg.Module?.HEAP8?.length ?? pg.mod?.HEAP8?.length ?? 0), 'rss', f(m.rss), 'from', f(m0.rss), 'external', f(m.external), 'ab', f(m.arrayBuffers));
