/**
 * The status board in a real browser: Debian's Chromium (playwright-core, one browser for the
 * file) opens `GET /` of a service running on a fast sandbox (`sandboxTimeScale`) with an
 * in-memory registry, and does what a newcomer does: tracks a job through the form and watches it
 * complete without a reload, presses every demo button (jobs of every kind reach their end, each
 * ImageKit refusal is shown), filters (and opens a filtered URL), reads a job's history and a
 * Zendesk job's per-item results, works the page with the keyboard alone, loses the connection
 * and gets it back (through a TCP proxy taken down and brought back on the same port), and uses
 * the page at 375 px and 1280 px in light and dark, checked by axe-core. A second service with
 * API_KEYS drives the key prompt; a third, with no sandbox (configured accounts on a loopback
 * fake), shows the board as it is in production: no demo, the form offering what is configured.
 * Screenshots land in `test/artifacts/` (ignored by git).
 *
 * Every wait is on what the page shows, with a deadline; console errors fail the test that
 * caused them. Skipped when /usr/bin/chromium is missing, except under CI.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { chromiumAvailable, launchChromium } from '../support/chromium.js';
import { CREDENTIALS, type FakeProviders, startFakeProviders, zendeskJob } from '../support/fake-providers.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';
import { DEMO_JOBS, DEMO_REFUSALS, type DemoButton } from '../../web/src/demo-jobs.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const SHOW_MS = 10_000;
/** Sandbox lives of 8–35 s take 1–5 s: long enough to see a job running, short enough to wait for. */
const SANDBOX_TIME_SCALE = 0.15;
/** Lives end in a few seconds; a loaded machine may still need more than one SHOW_MS for the slowest. */
const FINISH_MS = 30_000;
/**
 * Fast polling; and a generous upstream timeout, because the test default (1 s) turns a start
 * answered late on a busy machine into `ProviderError TIMEOUT` ("may have started").
 */
const FAST_POLLING = { POLL_INTERVAL_MS: '100', POLL_MAX_INTERVAL_MS: '200', CACHE_TTL_MS: '1', UPSTREAM_TIMEOUT_MS: '10000' };

const available = chromiumAvailable();

/** A page that remembers its console errors and uncaught exceptions. */
interface WatchedPage {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly errors: string[];
}

/** What Chromium logs while the server is away: expected in the reconnection test, an error anywhere else. */
const LOST_CONNECTION = /^WebSocket connection to '.*' failed/;

const waitLive = (page: Page, timeout = SHOW_MS) => page.getByRole('status').getByText('Live', { exact: true }).waitFor({ timeout });
const row = (page: Page, nativeId: string) => page.locator('li.job').filter({ has: page.getByRole('heading', { name: nativeId, exact: true }) });
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A demo button by its label and the line under it ("Zendesk job" is a prefix of another label). */
const demoButtonName = (button: DemoButton) => new RegExp(`^${escaped(button.label)}\\s*${escaped(button.expect)}$`);

describe.skipIf(!available)('the status board in Chromium', () => {
  let browser: Browser;
  const opened: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(opened.map((context) => context.close()));
    await browser?.close();
  });

  /** A new page on `origin` + `path`; `watch` sees the page before it navigates (sockets, requests). */
  async function open(origin: string, path = '/', options: BrowserContextOptions = {}, name = 'board', watch?: (page: Page) => void): Promise<WatchedPage> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
    opened.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    onTestFailed(() => page.screenshot({ path: join(ARTIFACTS, `${name}-failed.png`), fullPage: true }).then(() => undefined));
    watch?.(page);
    await page.goto(`${origin}${path}`, { waitUntil: 'load' });
    return { page, context, errors };
  }

  describe('on the sandbox', () => {
    let app: TestApp;

    beforeAll(async () => {
      app = await startTestApp({ SANDBOX: '1', ...FAST_POLLING }, undefined, { sandboxTimeScale: SANDBOX_TIME_SCALE });
    }, 60_000);

    afterAll(async () => {
      await app?.close();
    });

    const origin = () => app.app.server.origin;
    const track = (refs: { kind: string; id: string }[], labels: string[]) =>
      app.request('mutation ($refs: [JobRef!]!, $labels: [String!]) { trackJobs(refs: $refs, labels: $labels) { __typename } }', { refs, labels });

    it('loads without console errors and says it is live', async () => {
      const { page, errors } = await open(origin(), '/', {}, 'board-load');
      await waitLive(page);
      await expect(page.title()).resolves.toBe('Job status board');
      await page.getByRole('heading', { name: 'Tracked jobs' }).waitFor({ timeout: SHOW_MS });
      await page.getByRole('heading', { name: 'Demo' }).waitFor({ timeout: SHOW_MS });
      expect(errors).toEqual([]);
    });

    it('tracks a job through the form and shows it complete without a reload, with its history', async () => {
      const { page, errors } = await open(origin(), '/', {}, 'board-track');
      await waitLive(page);
      // Set on this document: a reload would make a new one without it.
      await page.evaluate(() => Object.assign(window, { boardTestMarker: 'same document' }));
      const id = randomUUID();
      await page.getByLabel('Kind').selectOption('SAYMON_BULK_OP');
      await page.getByLabel('Job id').fill(id);
      await page.getByLabel('Labels').fill('board-test, form');
      await page.getByRole('button', { name: 'Track', exact: true }).click();

      const job = row(page, id);
      await job.waitFor({ timeout: SHOW_MS });
      await job.getByText('board-test', { exact: true }).waitFor({ timeout: SHOW_MS });
      await job.locator('.badge-completed').waitFor({ timeout: SHOW_MS });
      await expect(page.evaluate(() => (window as unknown as { boardTestMarker?: string }).boardTestMarker)).resolves.toBe('same document');
      await job.getByText('Took').waitFor({ timeout: SHOW_MS });

      await job.getByRole('button', { name: `Details of ${id}` }).click();
      const history = job.getByRole('region', { name: `History of ${id}` });
      await history.locator('.timeline-entry .badge-completed').waitFor({ timeout: SHOW_MS });
      expect(await history.locator('.timeline-entry').count()).toBeGreaterThanOrEqual(2);
      await page.screenshot({ path: join(ARTIFACTS, 'board-tracked.png'), fullPage: true });
      expect(errors).toEqual([]);
    });


    it('starts a job of every kind from the demo buttons and shows each reach its end, and each ImageKit refusal', { timeout: 120_000 }, async () => {
      const { page, errors } = await open(origin(), '/', {}, 'board-demo');
      await waitLive(page);
      const demo = page.getByRole('region', { name: 'Demo' });
      const results = demo.getByRole('log', { name: 'Demo results' }).getByRole('listitem');
      let pressed = 0;
      /** Presses a button, waits for its line in the log (newest first) and answers it. */
      const press = async (button: DemoButton) => {
        await demo.getByRole('button', { name: demoButtonName(button) }).click();
        await results.nth(pressed).waitFor({ timeout: SHOW_MS });
        pressed += 1;
        const line = results.first();
        return { text: ((await line.textContent()) ?? '').trim(), tone: (await line.getAttribute('class')) ?? '' };
      };

      const started: { button: DemoButton; nativeId: string }[] = [];
      for (const button of DEMO_JOBS) {
        const { text, tone } = await press(button);
        const match = /(?:Started ImageKit (?:bulk job|purge request)|Tracking (?:Zendesk job status|SAYMON bulk operation)) (\S+)\.$/.exec(text);
        expect(match, `${button.label}: ${text}`).not.toBeNull();
        expect(text.startsWith(button.label), text).toBe(true);
        expect(tone).toContain('demo-result-started');
        started.push({ button, nativeId: match![1]! });
      }
      for (const button of DEMO_REFUSALS) {
        const { text, tone } = await press(button);
        // "Locked folder Refused (423 LOCKED): ImageKit account "default" refused to copy the folder (423 LOCKED): A bulk job…"
        expect(text, button.label).toContain(`Refused (${button.expect}): ImageKit account "default" refused`);
        expect(tone).toContain('demo-result-refused');
      }
      // Every refusal stays readable after the next click, not only the last one.
      await expect(results.count()).resolves.toBe(DEMO_JOBS.length + DEMO_REFUSALS.length);
      await page.screenshot({ path: join(ARTIFACTS, 'board-demo.png'), fullPage: true });

      for (const { button, nativeId } of started) {
        // Zendesk fails about one job in eight by id (and every "fail" id): its end may be either.
        const end = button.label === 'Zendesk job that fails' ? '.badge-failed' : button.label === 'Zendesk job' ? '.badge-completed, .badge-failed' : '.badge-completed';
        await row(page, nativeId).locator(end).waitFor({ timeout: FINISH_MS });
        await row(page, nativeId).getByText('demo', { exact: true }).waitFor({ timeout: SHOW_MS });
      }
      expect(errors).toEqual([]);
    });

    it('filters change the URL and the rows, and a URL with filters opens filtered', async () => {
      const zendesk = app.app.sandbox!.freshDemoRefs().find((ref) => ref.kind === 'ZENDESK_JOB_STATUS')!.nativeId;
      const saymon = randomUUID();
      const tracked = await track(
        [
          { kind: 'ZENDESK_JOB_STATUS', id: zendesk },
          { kind: 'SAYMON_BULK_OP', id: saymon },
        ],
        ['filters'],
      );
      expect(tracked.body.errors).toBeUndefined();

      const { page, errors } = await open(origin(), '/', {}, 'board-filters');
      await waitLive(page);
      await row(page, zendesk).waitFor({ timeout: SHOW_MS });
      await row(page, saymon).waitFor({ timeout: SHOW_MS });

      await page.getByLabel('Provider').selectOption('ZENDESK');
      await page.waitForURL((url) => url.searchParams.get('provider') === 'ZENDESK', { timeout: SHOW_MS });
      await row(page, saymon).waitFor({ state: 'detached', timeout: SHOW_MS });
      await row(page, zendesk).waitFor({ timeout: SHOW_MS });
      const providers = await page.locator('li.job .job-kind').allTextContents();
      expect(providers.length).toBeGreaterThan(0);
      expect(providers.every((text) => text.startsWith('Zendesk'))).toBe(true);

      await page.getByLabel('Provider').selectOption('');
      await page.getByLabel('Search').fill(saymon.slice(0, 8));
      await page.waitForURL((url) => url.searchParams.get('q') === saymon.slice(0, 8) && !url.searchParams.has('provider'), { timeout: SHOW_MS });
      await row(page, zendesk).waitFor({ state: 'detached', timeout: SHOW_MS });
      await row(page, saymon).waitFor({ timeout: SHOW_MS });
      expect(await page.locator('li.job').count()).toBe(1);

      const shared = await open(origin(), `/?provider=SAYMON&label=filters`, {}, 'board-filters-url');
      await waitLive(shared.page);
      await expect(shared.page.getByLabel('Provider').inputValue()).resolves.toBe('SAYMON');
      await expect(shared.page.getByLabel('Label', { exact: true }).inputValue()).resolves.toBe('filters');
      await row(shared.page, saymon).waitFor({ timeout: SHOW_MS });
      await expect(row(shared.page, zendesk).count()).resolves.toBe(0);
      await shared.page.screenshot({ path: join(ARTIFACTS, 'board-filtered.png'), fullPage: true });
      expect([...errors, ...shared.errors]).toEqual([]);
    });

    it('shows Zendesk per-item results in the detail and fits 375 px without horizontal scrolling', async () => {
      const zendesk = app.app.sandbox!.freshDemoRefs().find((ref) => ref.kind === 'ZENDESK_JOB_STATUS')!.nativeId;
      await track([{ kind: 'ZENDESK_JOB_STATUS', id: zendesk }], ['narrow']);
      const { page, errors } = await open(origin(), '/', { viewport: { width: 375, height: 812 } }, 'board-375');
      await waitLive(page);
      const job = row(page, zendesk);
      await job.locator('.badge-completed').waitFor({ timeout: SHOW_MS });
      await job.getByRole('button', { name: `Details of ${zendesk}` }).click();
      await job.getByRole('region', { name: `Results of ${zendesk}` }).getByRole('table').waitFor({ timeout: SHOW_MS });
      const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      expect(widths.scroll).toBeLessThanOrEqual(widths.client);
      await page.screenshot({ path: join(ARTIFACTS, 'board-375.png'), fullPage: true });
      expect(errors).toEqual([]);
    });


    it("works with the keyboard alone, with a visible focus: skip link, filters, a row's details, untrack", { timeout: 40_000 }, async () => {
      const id = randomUUID();
      expect((await track([{ kind: 'SAYMON_BULK_OP', id }], ['keyboard'])).body.errors).toBeUndefined();
      const { page, errors } = await open(origin(), '/?label=keyboard', {}, 'board-keyboard');
      await waitLive(page);
      await row(page, id).waitFor({ timeout: SHOW_MS });

      /** The focused element: its accessible-ish name and whether its focus ring shows. */
      const focused = () =>
        page.evaluate(() => {
          const element = document.activeElement as HTMLElement | null;
          if (!element || element === document.body) return null;
          const style = getComputedStyle(element);
          const label = (element as HTMLInputElement).labels?.[0]?.textContent ?? element.textContent ?? '';
          return { id: element.id, name: label.replace(/\s+/g, ' ').trim(), ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 };
        });
      const tabTo = async (what: string, matches: (name: string, elementId: string) => boolean) => {
        for (let presses = 0; presses < 80; presses += 1) {
          await page.keyboard.press('Tab');
          const now = await focused();
          if (now && matches(now.name, now.id)) {
            expect(now.ring, `the focus ring on ${what}`).toBe(true);
            return now;
          }
        }
        throw new Error(`Tab never reached ${what}`);
      };

      await tabTo('the skip link', (name) => name === 'Skip to the jobs');
      await tabTo('the provider filter', (name) => name === 'Provider');
      await tabTo('the search', (name) => name === 'Search');
      await page.keyboard.type(id.slice(0, 8));
      await page.waitForURL((url) => url.searchParams.get('q') === id.slice(0, 8), { timeout: SHOW_MS });
      // The list reloads for the new filter: the row comes back, alone.
      await page.getByText('1 shown', { exact: true }).waitFor({ timeout: SHOW_MS });
      await row(page, id).waitFor({ timeout: SHOW_MS });

      await tabTo('the row\'s details button', (name) => name === `Details of ${id}`);
      await page.keyboard.press('Enter');
      await row(page, id).getByRole('region', { name: `History of ${id}` }).waitFor({ timeout: SHOW_MS });
      await expect(row(page, id).getByRole('button', { name: `Hide details of ${id}` }).getAttribute('aria-expanded')).resolves.toBe('true');

      await tabTo('the untrack button', (name) => name === `Untrack ${id}`);
      await page.screenshot({ path: join(ARTIFACTS, 'board-keyboard.png') });
      await page.keyboard.press('Enter');
      await row(page, id).waitFor({ state: 'detached', timeout: SHOW_MS });
      // The focus is not lost with the row: it lands on the list, where Tab goes on.
      await expect(focused().then((now) => now?.id)).resolves.toBe('jobs');
      expect(errors).toEqual([]);
    });

    it('shows reconnecting when the server goes away, comes back live on its own, and catches up', { timeout: 60_000 }, async () => {
      const proxy = await startTcpProxy(Number(new URL(origin()).port));
      try {
        const { page, errors } = await open(`http://127.0.0.1:${proxy.port}`, '/', {}, 'board-reconnect');
        await waitLive(page);
        let sockets = 0;
        page.on('websocket', () => {
          sockets += 1;
        });

        await proxy.down();
        await page.getByRole('status').getByText('Reconnecting…', { exact: true }).waitFor({ timeout: SHOW_MS });
        await page.screenshot({ path: join(ARTIFACTS, 'board-reconnecting.png') });
        const missed = randomUUID();
        expect((await track([{ kind: 'SAYMON_BULK_OP', id: missed }], ['reconnect'])).body.errors).toBeUndefined();

        await proxy.up();
        await waitLive(page, 45_000);
        expect(sockets).toBeGreaterThanOrEqual(1);
        // Tracked while the board was away: the list is fetched again after reconnecting.
        await row(page, missed).waitFor({ timeout: SHOW_MS });
        // And events flow again.
        const after = randomUUID();
        expect((await track([{ kind: 'SAYMON_BULK_OP', id: after }], ['reconnect'])).body.errors).toBeUndefined();
        await row(page, after).waitFor({ timeout: SHOW_MS });
        await row(page, after).locator('.badge-completed').waitFor({ timeout: FINISH_MS });
        expect(errors.filter((error) => !LOST_CONNECTION.test(error))).toEqual([]);
      } finally {
        await proxy.close();
      }
    });

    it('has no serious or critical axe-core violation in light and dark, at 375 and 1280 px', { timeout: 90_000 }, async () => {
      const { page, errors } = await open(origin(), '/', {}, 'board-axe');
      await waitLive(page);
      await page.locator('li.job').first().waitFor({ timeout: SHOW_MS });
      // One row open, so the detail's timeline (and for Zendesk the table) is checked too.
      await page.locator('li.job').first().getByRole('button', { name: /^Details/ }).click();
      await page.locator('.job-detail .timeline, .job-detail .notice').first().waitFor({ timeout: SHOW_MS });
      const found: string[] = [];
      const backgrounds: string[] = [];
      for (const colorScheme of ['light', 'dark'] as const) {
        for (const width of [375, 1280]) {
          await page.emulateMedia({ colorScheme });
          await page.setViewportSize({ width, height: 900 });
          if (width === 1280) backgrounds.push(await page.evaluate(() => getComputedStyle(document.body).backgroundColor));
          const result = await new AxeBuilder({ page }).analyze();
          for (const violation of result.violations) {
            if (violation.impact !== 'serious' && violation.impact !== 'critical') continue;
            found.push(`${colorScheme} ${width} px: ${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`);
          }
          await page.screenshot({ path: join(ARTIFACTS, `board-${colorScheme}-${width}.png`), fullPage: width === 375 });
        }
      }
      expect(found).toEqual([]);
      // The themes really differ: the page follows the system's setting, not one fixed palette.
      expect(new Set(backgrounds).size).toBe(2);
      expect(errors).toEqual([]);
    });
  });

  describe('with API keys', () => {
    const KEY = 'board-test-key-0123456789';
    let app: TestApp;

    beforeAll(async () => {
      app = await startTestApp({ SANDBOX: '1', API_KEYS: KEY });
    }, 60_000);

    afterAll(async () => {
      await app?.close();
    });

    it('asks for a key, says when it is wrong, sends the right one in connection_init, keeps it for the session only, never in a URL', { timeout: 40_000 }, async () => {
      // Every connection_init the page sends, and every URL it asks for (the page's own, the socket's).
      const inits: unknown[] = [];
      const urls: string[] = [];
      const { page, errors } = await open(app.app.server.origin, '/', {}, 'board-key', (watched) => {
        watched.on('request', (request) => urls.push(request.url()));
        watched.on('websocket', (socket) => {
          urls.push(socket.url());
          socket.on('framesent', ({ payload }) => {
            const message = JSON.parse(String(payload)) as { type?: string; payload?: unknown };
            if (message.type === 'connection_init') inits.push(message.payload ?? null);
          });
        });
      });
      // The first connection, before any key: none sent.
      await waitFor(() => inits.length > 0, { what: 'a connection_init' });
      expect(inits[0]).toEqual({});

      const prompt = page.getByRole('region', { name: 'API key needed' });
      await prompt.waitFor({ timeout: SHOW_MS });
      await prompt.getByText(/This API requires a key/).waitFor({ timeout: SHOW_MS });
      await page.screenshot({ path: join(ARTIFACTS, 'board-key-prompt.png') });

      const keyField = page.getByRole('textbox', { name: 'API key' });
      await keyField.fill('not-the-key');
      await page.getByRole('button', { name: 'Use this key' }).click();
      await prompt.getByRole('alert').getByText(/refused this key/).waitFor({ timeout: SHOW_MS });
      expect(inits).toContainEqual({ authorization: 'Bearer not-the-key' });

      await keyField.fill(KEY);
      await page.getByRole('button', { name: 'Use this key' }).click();
      await waitLive(page);
      await page.getByRole('heading', { name: 'Tracked jobs' }).waitFor({ timeout: SHOW_MS });
      await expect(prompt.count()).resolves.toBe(0);
      expect(inits.at(-1)).toEqual({ authorization: `Bearer ${KEY}` });

      const stored = await page.evaluate(() => Object.values({ ...sessionStorage }));
      expect(stored).toContain(KEY);
      await expect(page.evaluate(() => localStorage.length)).resolves.toBe(0);
      await expect(page.evaluate(() => document.cookie)).resolves.toBe('');
      // The key lasts for the session: a reload goes straight to the board.
      await page.reload({ waitUntil: 'load' });
      await waitLive(page);
      await expect(prompt.count()).resolves.toBe(0);
      expect(inits.at(-1)).toEqual({ authorization: `Bearer ${KEY}` });

      // Forgetting it asks again, and leaves nothing behind.
      await page.getByRole('button', { name: 'Forget API key' }).click();
      await prompt.waitFor({ timeout: SHOW_MS });
      await expect(page.evaluate(() => sessionStorage.length)).resolves.toBe(0);

      for (const url of urls) expect(url).not.toContain(KEY);
      expect(urls.some((url) => url.startsWith('ws:'))).toBe(true);
      expect(errors).toEqual([]);
    });
  });

  describe('with configured providers and no sandbox', () => {
    let fake: FakeProviders;
    let app: TestApp;
    let configDir: string;
    const zendeskJobs = new Map<string, Record<string, unknown>>();

    beforeAll(async () => {
      fake = await startFakeProviders(zendeskJobs);
      // Zendesk only: the default account from the environment, a second one ("eu") from JOBS_CONFIG.
      configDir = mkdtempSync(join(tmpdir(), 'board-accounts-'));
      const zendesk = { baseUrl: fake.env.ZENDESK_BASE_URL, email: CREDENTIALS.ZENDESK_EMAIL, apiToken: CREDENTIALS.ZENDESK_API_TOKEN };
      writeFileSync(join(configDir, 'jobs.json'), JSON.stringify({ zendesk: { eu: zendesk } }));
      app = await startTestApp({
        ...FAST_POLLING,
        ZENDESK_BASE_URL: zendesk.baseUrl!,
        ZENDESK_EMAIL: zendesk.email,
        ZENDESK_API_TOKEN: zendesk.apiToken,
        JOBS_CONFIG: join(configDir, 'jobs.json'),
      });
    }, 60_000);

    afterAll(async () => {
      await app?.close();
      await fake?.upstream.close();
      if (configDir) rmSync(configDir, { recursive: true, force: true });
    });

    it('hides the demo, offers the configured kinds and accounts, and tracks a job there live', { timeout: 40_000 }, async () => {
      const asked = new Set<string>();
      const { page, errors } = await open(app.app.server.origin, '/', {}, 'board-configured', (watched) =>
        watched.on('websocket', (socket) =>
          socket.on('framesent', ({ payload }) => {
            const message = JSON.parse(String(payload)) as { type?: string; payload?: { query?: string } };
            const name = /^\s*(?:query|mutation|subscription)\s+(\w+)/.exec(message.payload?.query ?? '')?.[1];
            if (message.type === 'subscribe' && name) asked.add(name);
          }),
        ),
      );
      await waitLive(page);
      await page.getByRole('heading', { name: 'Tracked jobs' }).waitFor({ timeout: SHOW_MS });
      await page.getByLabel('Account').locator('option', { hasText: 'eu' }).waitFor({ state: 'attached', timeout: SHOW_MS });
      // What a page load asks: the accounts and their kinds, the list, the live updates. Nothing else.
      expect([...asked].sort()).toEqual(['BoardProviders', 'BoardTrackedJobUpdates', 'BoardTrackedJobs']);
      await expect(page.getByRole('region', { name: 'Demo' }).count()).resolves.toBe(0);
      await expect(page.getByLabel('Kind').locator('option').allTextContents()).resolves.toEqual(['Zendesk · Job status']);
      await expect(page.getByLabel('Account').locator('option').allTextContents()).resolves.toEqual(['default', 'eu']);

      const id = `${Date.now()}`;
      zendeskJobs.set(id, zendeskJob(id, 'working', { total: 4, progress: 1 }));
      await page.getByLabel('Job id').fill(id);
      await page.getByLabel('Account').selectOption('eu');
      await page.getByLabel('Labels').fill('configured');
      await page.getByRole('button', { name: 'Track', exact: true }).click();
      const job = row(page, id);
      await job.locator('.badge-running').waitFor({ timeout: SHOW_MS });
      await expect(job.locator('.job-account').textContent()).resolves.toBe('Account eu');
      await expect(job.getByRole('progressbar').getAttribute('aria-valuenow')).resolves.toBe('25');

      zendeskJobs.set(id, zendeskJob(id, 'completed', { total: 4, progress: 4, results: [{ id: 1, index: 0, action: 'update', success: true, status: 'Updated' }] }));
      await job.locator('.badge-completed').waitFor({ timeout: SHOW_MS });
      expect(fake.requestsTo('/zd').length).toBeGreaterThan(0);
      await page.screenshot({ path: join(ARTIFACTS, 'board-configured.png'), fullPage: true });
      expect(errors).toEqual([]);
    });
  });
});
