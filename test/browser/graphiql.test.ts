/**
 * GraphiQL in a real browser: Debian's Chromium, driven by playwright-core, opens `/graphql` of a
 * service running on the sandbox providers, runs the default query, then a subscription, and must
 * see data from every kind of job. Screenshots land in `test/artifacts/` (ignored by git).
 *
 * Skipped when /usr/bin/chromium is missing, except under CI (which installs it: `.ci/run`).
 * GraphiQL 5 edits with Monaco, which draws only the lines in view: the viewport is tall enough
 * for the whole default answer, and every wait is on what the page shows.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { CHROMIUM, CHROMIUM_ARGS, chromiumAvailable } from '../support/chromium.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
/** The self-contained GraphiQL page carries ~9 MB of inline script. */
const PAGE_LOAD_MS = 60_000;
const RESULT_MS = 15_000;

const available = chromiumAvailable();

describe.skipIf(!available)('GraphiQL in Chromium', () => {
  let app: TestApp;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    app = await startTestApp({ SANDBOX: '1' });
    profile = mkdtempSync(join(tmpdir(), 'jsg-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 2400 },
      args: [...CHROMIUM_ARGS],
    });
    page = await browser.newPage();
    mkdirSync(ARTIFACTS, { recursive: true });
  }, PAGE_LOAD_MS);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** What the page showed when a step failed, for whoever reads the CI log. */
  const screenshotOnFailure = (name: string) => onTestFailed(() => page.screenshot({ path: join(ARTIFACTS, `${name}-failed.png`) }).then(() => undefined));

  it('runs the default query and shows every kind of job', { timeout: PAGE_LOAD_MS + RESULT_MS }, async () => {
    screenshotOnFailure('graphiql-query');
    await page.goto(app.url, { waitUntil: 'load', timeout: PAGE_LOAD_MS });
    const editor = page.locator('.graphiql-query-editor');
    await editor.getByText('JobStatuses').first().waitFor({ timeout: PAGE_LOAD_MS });

    await page.getByRole('button', { name: /^Execute query/ }).click();

    const response = page.locator('.graphiql-response');
    for (const typename of ['ImageKitBulkJob', 'PurgeRequest', 'SaymonBulkOp', 'ZendeskJobStatus']) {
      await response.getByText(`"${typename}"`, { exact: true }).first().waitFor({ timeout: RESULT_MS });
    }
    await expect(response.getByText('"errors"', { exact: true }).count()).resolves.toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'graphiql-query.png') });
  });

  it('runs a subscription and shows its updates', { timeout: RESULT_MS * 2 }, async () => {
    screenshotOnFailure('graphiql-subscription');
    const refs = app.app.sandbox!.demoRefs.map((ref) => `{ kind: ${ref.kind}, id: ${JSON.stringify(ref.nativeId)} }`).join(', ');
    const editor = page.locator('.graphiql-query-editor');
    await editor.locator('.monaco-editor').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    // One line, then GraphiQL's own prettifier: typing line by line would fight Monaco's auto-indent.
    await page.keyboard.insertText(
      `subscription WatchDemoJobs { jobUpdates(refs: [${refs}]) { previousState at result { __typename ... on Job { nativeId state progress { percent } } } } }`,
    );
    await page.getByRole('button', { name: /^Prettify query/ }).click();
    // The tab is named after the operation once GraphiQL has read the new document; running
    // before that would send the previous operation's name.
    await page.locator('.graphiql-tab-active').getByText('WatchDemoJobs').waitFor({ timeout: RESULT_MS });
    await editor.locator('.monaco-editor').click();
    await page.keyboard.press('ControlOrMeta+Home');

    await page.getByRole('button', { name: /^Execute query/ }).click();

    const response = page.locator('.graphiql-response');
    await response.getByText('"jobUpdates"', { exact: true }).first().waitFor({ timeout: RESULT_MS });
    await response.getByText('"previousState"', { exact: true }).first().waitFor({ timeout: RESULT_MS });
    await expect(response.getByText('"errors"', { exact: true }).count()).resolves.toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'graphiql-subscription.png') });
  });
});
