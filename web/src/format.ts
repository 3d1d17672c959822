/** How times, durations and progress read on the board. Pure, so each is tested alone. */

const UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/**
 * "5 minutes ago", "now": `iso` relative to `now` (ms since the epoch). The board only shows past
 * instants, so one after `now` (the page's clock ticks every few seconds, and the server's clock
 * may run a little ahead of the browser's) reads "now" rather than "in 6 seconds".
 */
export function relativeTime(iso: string, now: number): string {
  const elapsed = Date.parse(iso) - now;
  if (Number.isNaN(elapsed)) return iso;
  if (elapsed > -5000) return 'now';
  for (const [unit, ms] of UNITS) {
    if (Math.abs(elapsed) >= ms || unit === 'second') return relative.format(Math.round(elapsed / ms), unit);
  }
  return iso;
}

/** "1 h 5 min", "42 s", "850 ms": two units at most. */
export function durationText(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = Math.round(ms / 1000);
  const parts: Array<[number, string]> = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor((seconds % 86_400) / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'min'],
    [seconds % 60, 's'],
  ];
  const first = parts.findIndex(([value]) => value > 0);
  return parts
    .slice(first, first + 2)
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value} ${unit}`)
    .join(' ');
}

/** A percentage clamped to 0–100 and rounded to a whole number, for the bar and its text. */
export function percentOf(percent: number): number {
  if (!Number.isFinite(percent)) return 0;
  return Math.min(100, Math.max(0, Math.round(percent)));
}

/** "2024-05-01 12:30:05 UTC": an absolute time for tooltips. */
export function absoluteTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
