/**
 * Prints the board's JavaScript and CSS sizes (raw and gzipped) after `vite build`, and fails
 * (exit 1, so `npm run build:web` and `npm start` stop) when the JavaScript passes the budget of
 * 100 KB gzipped (issue "Status board"). Run by `npm run build:web`, after `vite build`; a folder
 * given as the first argument is measured instead of `dist/web/assets` (the test's over-budget one).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_JS_GZIP_BYTES = 100 * 1024;
const assets = process.argv[2] ?? fileURLToPath(new URL('../dist/web/assets', import.meta.url));

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const totals = { js: 0, css: 0 };
for (const name of readdirSync(assets).sort()) {
  const type = name.endsWith('.js') ? 'js' : name.endsWith('.css') ? 'css' : null;
  if (!type) continue;
  const bytes = readFileSync(join(assets, name));
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  totals[type] += gzipped;
  console.log(`  ${name.padEnd(32)} ${kb(bytes.length).padStart(9)}  gzip ${kb(gzipped).padStart(8)}`);
}
console.log(`board: JavaScript ${kb(totals.js)} gzipped (budget ${kb(BUDGET_JS_GZIP_BYTES)}), CSS ${kb(totals.css)} gzipped`);
if (totals.js > BUDGET_JS_GZIP_BYTES) {
  console.error('board: the JavaScript is over budget');
  process.exit(1);
}
