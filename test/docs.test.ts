/**
 * The docs say what the code does: the operations guide's environment table is generated from
 * `ENV_REFERENCE`, and every GraphQL example in them is valid against the schema served.
 */
import { readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ENV_REFERENCE } from '../src/config/env.js';
import { schema } from '../src/schema/index.js';
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

describe('GraphQL examples in the docs', () => {
  const examples = ['README.md', 'docs/operations.md', 'docs/cluster.md'].flatMap((file) =>
    [...readFileSync(new URL(`../${file}`, import.meta.url), 'utf8').matchAll(/```graphql\n([\s\S]*?)```/g)].map((match, index) => ({
      name: `${file} #${index + 1}`,
      source: match[1]!,
    })),
  );

  it('has some', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
  });

  it.each(examples)('$name is valid against the schema', ({ source }) => {
    expect(validate(schema, parse(source)).map((error) => error.message)).toEqual([]);
  });
});
