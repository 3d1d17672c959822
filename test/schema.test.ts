import { readFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/schema/index.js';

describe('schema.graphql', () => {
  it('is the schema the server serves (run `npm run codegen` when this fails)', () => {
    const checkedIn = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');
    expect(checkedIn).toBe(`${printSchema(schema)}\n`);
  });

  it('has every type and field the contract names', () => {
    const printed = printSchema(schema);
    for (const fragment of [
      'interface Node {\n  id: ID!',
      'interface Job implements Node',
      'type ImageKitBulkJob implements Node & Job',
      'type PurgeRequest implements Node & Job',
      'type SaymonBulkOp implements Node & Job',
      'type ZendeskJobStatus implements Node & Job',
      'union JobResult = ImageKitBulkJob | PurgeRequest | SaymonBulkOp | ZendeskJobStatus | JobNotFoundError | ProviderError',
      'node(id: ID!): Node',
      'nodes(ids: [ID!]!): [Node]!',
      'job(ref: JobRef!): JobResult!',
      'jobs(refs: [JobRef!]!): [JobResult!]!',
      'providers: [ProviderAccount!]!',
      'jobUpdates(refs: [JobRef!]!): JobUpdate!',
      'previousState: JobState',
      'scalar DateTime',
    ]) {
      expect(printed).toContain(fragment);
    }
  });
});
