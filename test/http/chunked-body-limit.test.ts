import { createServer, request as httpRequest } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { useChunkedBodyLimit } from '../../src/http/chunked-body-limit.js';

/** Records whether the request a parser is given is the one that arrived, or a wrapped copy. */
function parserInputProbe(seen: boolean[]): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      if (!requestParser) return;
      setRequestParser((given) => {
        seen.push(given === request);
        return requestParser(given);
      });
    },
  };
}

describe('the chunked body limit', () => {
  const seen: boolean[] = [];
  let url = '';
  const server = createServer(
    createYoga({
      schema: createSchema({ typeDefs: 'type Query { echo(text: String): String }', resolvers: { Query: { echo: (_, { text }) => text } } }),
      maxRequestBodySize: false,
      // The probe registers its parser wrapper first, so it sees what the limit hands on.
      plugins: [parserInputProbe(seen), useChunkedBodyLimit(200)],
      logging: false,
    }),
  );
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function post(body: string, chunked: boolean): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (!chunked) headers['content-length'] = String(Buffer.byteLength(body));
      const req = httpRequest(url, { method: 'POST', headers }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      for (let at = 0; at < body.length; at += 50) req.write(body.slice(at, at + 50));
      req.end();
    });
  }

  it('leaves a body with a Content-Length as it arrived (no stream to count it through)', async () => {
    seen.length = 0;
    const answer = await post(JSON.stringify({ query: '{ echo(text: "hi") }' }), false);
    expect(answer).toMatchObject({ status: 200 });
    expect(JSON.parse(answer.text)).toEqual({ data: { echo: 'hi' } });
    expect(seen).toEqual([true]);
  });

  it('counts a chunked body, answers a small one and refuses one past the limit with 413', async () => {
    seen.length = 0;
    const small = await post(JSON.stringify({ query: '{ echo(text: "hi") }' }), true);
    expect(JSON.parse(small.text)).toEqual({ data: { echo: 'hi' } });
    expect(seen).toEqual([false]);
    const large = await post(JSON.stringify({ query: `{ echo(text: "${'x'.repeat(300)}") }` }), true);
    expect(large.status).toBe(413);
    expect(large.text).toMatch(/too large: at most 200 bytes/);
  });
});
