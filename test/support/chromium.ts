/**
 * Debian's Chromium for the browser tests, driven by playwright-core (no browser download): where
 * it is, whether this machine has it (CI must: `.ci/run` installs it), and the flags every test
 * launches it with, so the GraphiQL and board tests run the same browser the same way.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Headless, no sandbox (containers), and nothing that reaches the network on its own. */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** True when Chromium is installed; throws under CI when it is not, rather than skipping silently. */
export function chromiumAvailable(): boolean {
  const available = existsSync(CHROMIUM);
  if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing; CI must install Debian's chromium (.ci/run does)`);
  return available;
}

/** A headless Chromium; each test opens its own contexts (viewport, colour scheme, storage). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS] });
}
