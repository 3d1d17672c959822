/** Checks that checked-in GraphQL Code Generator output is what the generator makes today. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import type { CodegenConfig } from '@graphql-codegen/cli';
import { expect } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs `config` from the project root and expects every output to equal the file checked in; `command` regenerates them. */
export async function expectCodegenCurrent(config: CodegenConfig, command: string): Promise<void> {
  const previous = process.cwd();
  process.chdir(ROOT);
  try {
    const outputs = await generate({ ...config, silent: true }, false);
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      const checkedIn = readFileSync(resolve(ROOT, output.filename), 'utf8');
      expect(checkedIn, `${output.filename} is stale: run ${command}`).toBe(output.content);
    }
  } finally {
    process.chdir(previous);
  }
}
