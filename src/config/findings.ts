/**
 * Problems found while reading (all reported at once, in one `ConfigError`) and the secret values
 * seen on the way (for redaction).
 */
import type { EnvName } from './env.js';

/** Invalid configuration: the message names every offending variable or file key, never a secret. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Problems found so far (reported together) and every secret value seen (for redaction). */
export class Findings {
  private readonly envProblems: string[] = [];
  private readonly fileProblems: string[] = [];
  private readonly namesWithProblems = new Set<string>();
  private readonly secrets = new Set<string>();
  private filePath = '';

  /** A problem with one environment variable. */
  problem(name: EnvName, message: string): void {
    this.namesWithProblems.add(name);
    this.envProblems.push(`${name}: ${message}`);
  }

  /** A problem at one key path of the JOBS_CONFIG file (empty path: the file itself). */
  fileProblem(path: string, keyPath: string, message: string): void {
    this.filePath = path;
    this.fileProblems.push(keyPath === '' ? message : `${keyPath}: ${message}`);
  }

  hasProblem(name: EnvName): boolean {
    return this.namesWithProblems.has(name);
  }

  secret(value: string | undefined): void {
    if (value) this.secrets.add(value);
  }

  /** Longest first, so that redacting one never leaves part of a longer one behind. */
  secretValues(): string[] {
    return [...this.secrets].sort((a, b) => b.length - a.length);
  }

  throwIfAny(): void {
    const parts = [...this.envProblems];
    if (this.fileProblems.length > 0) parts.push(`JOBS_CONFIG ${this.filePath}: ${this.fileProblems.join('; ')}`);
    if (parts.length > 0) throw new ConfigError(parts.join('; '));
  }
}

export { quote } from '../providers/account-fields.js';
