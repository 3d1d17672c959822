/**
 * The operations guide's environment table is the code's: generated from `ENV_REFERENCE`.
 */
import { describe, expect, it } from 'vitest';
import { ENV_REFERENCE } from '../src/config.js';
import { documentedEnvTable, renderEnvTable } from '../scripts/env-table.js';

describe('docs/operations.md', () => {
  it('holds the environment table generated from the config (run `npm run env-table` when this fails)', () => {
    expect(documentedEnvTable()).toBe(renderEnvTable());
  });

  it('has a row for every variable the config reads', () => {
    const table = documentedEnvTable() ?? '';
    for (const { name } of ENV_REFERENCE) expect(table).toContain(`| \`${name}\` |`);
  });
});
