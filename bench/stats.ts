/**
 * Small numeric and printing helpers shared by the scenarios: one clock that processes agree on,
 * percentiles, and Markdown tables.
 */

/**
 * Wall-clock milliseconds with sub-millisecond resolution. Every bench process derives it from its
 * own `timeOrigin`, which is read from the system clock, so timestamps from different processes on
 * one machine can be subtracted.
 */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** The `p`-th percentile (0–100) of `values` by nearest rank; NaN when there are none. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** A figure as the tables print it: fixed decimals, `—` for missing values. */
export function fmt(value: number | null | undefined, decimals = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** `, with NAME=value…` for settings given on the command line. */
export function settings(env: Record<string, string> | undefined): string {
  const pairs = Object.entries(env ?? {});
  return pairs.length ? `, with ${pairs.map(([name, value]) => `${name}=${value}`).join(' ')}` : '';
}

export interface Table {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Lines printed under the table. */
  readonly notes?: readonly string[];
}

/** A GitHub-flavoured Markdown table with its title and notes. */
export function renderTable(table: Table): string {
  const widths = table.columns.map((column, index) => Math.max(column.length, ...table.rows.map((row) => (row[index] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, index) => cell.padEnd(widths[index]!)).join(' | ')} |`;
  return [
    `### ${table.title}`,
    '',
    line(table.columns),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...table.rows.map(line),
    ...(table.notes?.length ? ['', ...table.notes] : []),
    '',
  ].join('\n');
}
