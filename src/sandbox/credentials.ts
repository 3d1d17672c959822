/** The secrets the simulated providers accept: random per start, or the fixed development ones. */
import { randomBytes } from 'node:crypto';

export interface SandboxCredentials {
  /** ImageKit: sent as the Basic username (any password). Starts with `private_`. */
  readonly imagekitPrivateKey: string;
  /** SAYMON: Basic `login:password`, or the body of `POST /node/api/users/session`. */
  readonly saymonLogin: string;
  readonly saymonPassword: string;
  /** SAYMON: accepted as `?api-token=` (the real API issues such tokens per user). */
  readonly saymonApiToken: string;
  /** Zendesk: Basic `{email}/token:{apiToken}`, or `Bearer {apiToken}` standing in for an OAuth token. */
  readonly zendeskEmail: string;
  readonly zendeskApiToken: string;
}

/**
 * The fixed development credentials of `SANDBOX_PORT` (part 2 of the contract): documented, so
 * that outside tools and the providers' official SDKs can be pointed at the sandbox. They only
 * ever open a loopback simulator, never a real account.
 */
export const DEVELOPMENT_CREDENTIALS: SandboxCredentials = Object.freeze({
  imagekitPrivateKey: 'private_sandbox',
  saymonLogin: 'sandbox',
  saymonPassword: 'sandbox',
  saymonApiToken: 'sandbox',
  zendeskEmail: 'sandbox@example.com',
  zendeskApiToken: 'sandbox',
});

/** Fresh secrets for one start: nothing guessable, and nothing that works against a real provider. */
export function randomCredentials(): SandboxCredentials {
  const secret = (bytes: number) => randomBytes(bytes).toString('base64url');
  const tag = randomBytes(3).toString('hex');
  return {
    imagekitPrivateKey: `private_${secret(18)}`,
    saymonLogin: `sandbox-${tag}`,
    saymonPassword: secret(18),
    saymonApiToken: secret(24),
    zendeskEmail: `sandbox-${tag}@example.com`,
    zendeskApiToken: secret(30),
  };
}
