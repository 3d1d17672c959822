/**
 * `possible-types.json`, the map Apollo Client's `InMemoryCache` needs, is what `npm run codegen`
 * (GraphQL Code Generator's fragment-matcher) makes of schema.graphql today, and lists every
 * interface and union of the served schema with exactly its object types.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { isAbstractType } from 'graphql';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.js';
import { schema } from '../../src/schema/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FILE = './possible-types.json';

describe('possible-types.json', () => {
  it('is current: `npm run codegen` would not change it', { timeout: 30_000 }, async () => {
    const previous = process.cwd();
    process.chdir(ROOT);
    try {
      const target = config.generates[FILE];
      expect(target, 'codegen.ts generates possible-types.json').toBeDefined();
      // The fragment matcher reads the schema alone: no documents to scan (test/gql's check, which
      // does scan them, is test/conformance/typed-operations.test.ts).
      const outputs: { filename: string; content: string }[] = await generate({ ...config, documents: [], generates: { [FILE]: target! }, silent: true }, false);
      expect(outputs.map((output) => resolve(ROOT, output.filename))).toEqual([resolve(ROOT, FILE)]);
      expect(readFileSync(resolve(ROOT, FILE), 'utf8'), 'possible-types.json is stale: run npm run codegen').toBe(outputs[0]!.content);
    } finally {
      process.chdir(previous);
    }
  });

  it('maps every interface and union of the served schema to its object types', () => {
    const shipped = JSON.parse(readFileSync(resolve(ROOT, FILE), 'utf8')) as { possibleTypes: Record<string, string[]> };
    const expected: Record<string, string[]> = {};
    for (const type of Object.values(schema.getTypeMap())) {
      if (isAbstractType(type) && !type.name.startsWith('__')) {
        expected[type.name] = schema.getPossibleTypes(type).map((member) => member.name).sort();
      }
    }
    const sorted = Object.fromEntries(Object.entries(shipped.possibleTypes).map(([name, members]) => [name, [...members].sort()]));
    expect(sorted).toEqual(expected);
    expect(Object.keys(expected)).toEqual(expect.arrayContaining(['Job', 'Error', 'JobResult']));
  });
});
