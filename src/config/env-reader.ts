/**
 * Typed reading of the variables of `ENV`: text, integers in a range, flags, one of a list, and
 * comma-separated lists.
 */
import { ENV, type Env, type EnvName } from './env-table.js';
import { quote, type Findings } from './findings.js';

/** Node's timers overflow above this many milliseconds (and then fire at once). */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Typed access to the variables of `ENV`. Values are trimmed, and an empty value counts as unset
 * (`FOO=` in a compose file means "not configured"). A bad value is recorded as a problem and the
 * default returned, so that reading continues and every problem is reported at once.
 */
export class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly findings: Findings,
  ) {}

  text(name: EnvName): string | undefined {
    const value = this.env[name]?.trim();
    return value || undefined;
  }

  /** An integer in `min..max`; `min` 0 or 1 reads as "non-negative"/"positive" in messages. */
  int(name: EnvName, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const fallback = Number(ENV[name].default);
    const value = this.text(name);
    if (value === undefined) return fallback;
    const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (parsed > max) {
      this.findings.problem(name, `expected at most ${max}, got ${quote(value)}`);
    } else if (!(parsed >= min)) {
      this.findings.problem(name, `expected ${integerKind(min)}, got ${quote(value)}`);
    } else {
      return parsed;
    }
    return fallback;
  }

  /** `1`/`true` or `0`/`false` (any case); undefined when unset. */
  flag(name: EnvName): boolean | undefined {
    const value = this.text(name)?.toLowerCase();
    if (value === undefined) return undefined;
    if (value === '1' || value === 'true') return true;
    if (value === '0' || value === 'false') return false;
    this.findings.problem(name, `expected 1, 0, true or false, got ${quote(value)}`);
    return undefined;
  }

  oneOf<T extends string>(name: EnvName, allowed: readonly T[]): T {
    const value = (this.text(name) ?? ENV[name].default).toLowerCase();
    const match = allowed.find((option) => option === value);
    if (match !== undefined) return match;
    this.findings.problem(name, `expected one of ${allowed.join(', ')}, got ${quote(value)}`);
    return ENV[name].default as T;
  }
}

function integerKind(min: number): string {
  if (min === 0) return 'a non-negative integer';
  if (min === 1) return 'a positive integer';
  return `an integer of at least ${min}`;
}

/** A comma-separated value's entries, trimmed; empty entries are dropped. */
export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
