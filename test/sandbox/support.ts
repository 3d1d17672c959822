/** Starts a sandbox on a manual clock and builds authenticated requests to it. */
import { afterEach } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { manualClock, type ManualClock } from '../support/manual-clock.js';

export interface Started {
  readonly sandbox: Sandbox;
  readonly clock: ManualClock;
}

const running: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sandbox) => sandbox.close()));
});

/** A sandbox closed after the test; `timeScale` 1 unless given, so durations are the documented ones. */
export async function started(options: SandboxOptions = {}): Promise<Started> {
  const clock = manualClock();
  const sandbox = await startSandbox({ clock, ...options });
  running.push(sandbox);
  return { sandbox, clock };
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export function imagekitAuth(sandbox: Sandbox): Record<string, string> {
  return { authorization: basic(sandbox.credentials.imagekitPrivateKey, '') };
}

export function saymonAuth(sandbox: Sandbox): Record<string, string> {
  return { authorization: basic(sandbox.credentials.saymonLogin, sandbox.credentials.saymonPassword) };
}

export function zendeskAuth(sandbox: Sandbox): Record<string, string> {
  return { authorization: basic(`${sandbox.credentials.zendeskEmail}/token`, sandbox.credentials.zendeskApiToken) };
}

/** Fetches and reads the JSON body (every sandbox answer is JSON). */
export async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.json(), headers: response.headers };
}

/** A JSON request body with its content type. */
export function json(method: string, body: unknown, headers: Record<string, string>): RequestInit {
  return { method, body: JSON.stringify(body), headers: { ...headers, 'content-type': 'application/json' } };
}

/** Advances the clock in steps until `check` holds, returning how many steps it took (fails after `maxSteps`). */
export async function advanceUntil(clock: ManualClock, stepMs: number, maxSteps: number, check: () => Promise<boolean>): Promise<number> {
  for (let step = 0; step <= maxSteps; step += 1) {
    if (await check()) return step;
    clock.advance(stepMs);
  }
  throw new Error(`condition not reached after ${maxSteps} steps of ${stepMs} ms`);
}
