/**
 * Makes the README's screenshot of the status board (`docs/board.png`) from real data: a service
 * on the sandbox, Chromium tracking a job through the form and pressing demo buttons, then a
 * picture once some jobs have ended and others still run. Run it after changing how the board
 * looks: `npx tsx scripts/board-screenshot.ts` (ImageMagick's `convert`, when installed, shrinks
 * the file to a small palette).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { silentLogger } from '../src/logger.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/support/chromium.js';
import { buildBoardIfStale } from '../web/build-if-stale.js';

const OUT = fileURLToPath(new URL('../docs/board.png', import.meta.url));
const PRESS = ['Rename a folder (and purge)', 'Purge a URL', 'Zendesk job that fails', 'SAYMON operation', 'Locked folder'];

buildBoardIfStale((line) => process.stderr.write(`${line}\n`));
const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', SANDBOX: '1', DATABASE_URL: 'memory:', POLL_INTERVAL_MS: '500' });
const app = await startApp(config, silentLogger, undefined, { sandboxTimeScale: 1 });
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS] });

async function press(page: Page, label: string, count: number): Promise<void> {
  await page.getByRole('region', { name: 'Demo' }).getByRole('button', { name: new RegExp(`^${label.replace(/[()]/g, '\\$&')}`) }).first().click();
  await page.waitForFunction((n) => document.querySelectorAll('.demo-result').length >= n, count);
}

try {
  // Wide enough for three demo buttons a row; drawn at 0.75 so that the whole page stays a small file.
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 0.75 });
  await page.goto(`${app.server.origin}/`);
  await page.getByRole('status').getByText('Live', { exact: true }).waitFor();
  await page.getByLabel('Kind').selectOption('ZENDESK_JOB_STATUS');
  await page.getByLabel('Job id').fill(`V3-${randomUUID().replace(/-/g, '')}`);
  await page.getByLabel('Labels').fill('support, ticket-4711');
  await page.getByRole('button', { name: 'Track', exact: true }).click();
  for (const [index, label] of PRESS.entries()) await press(page, label, index + 1);
  // Some finished, some still running: the whole life of a job in one picture.
  await page.waitForFunction(() => document.querySelectorAll('li.job .badge-completed, li.job .badge-failed').length >= 2 && document.querySelectorAll('li.job .badge-running, li.job .badge-queued').length >= 1, undefined, { timeout: 120_000, polling: 100 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: OUT, fullPage: true });
  try {
    execFileSync('convert', [OUT, '-colors', '96', '-strip', OUT]);
  } catch {
    // No ImageMagick: the full-colour file stays.
  }
  process.stdout.write(`wrote ${OUT}\n`);
} finally {
  await browser.close();
  await app.close();
}
