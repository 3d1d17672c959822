/**
 * Early answers over real HTTP: a cached answer to a plain JSON POST is written before yoga runs,
 * byte for byte what yoga answers, for the caller it was cached for only; every other request
 * still reaches yoga, with its body intact.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

const FULL_KEY = 'early-full-key-61d0';
const OTHER_KEY = 'early-other-key-93ab';
let api: TestApp;

beforeAll(async () => {
  api = await startTestApp({ API_KEYS: `${FULL_KEY},${OTHER_KEY}`, CORS_ORIGINS: 'http://board.example' });
});
afterAll(async () => {
  await api.close();
});

async function counter(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await api.app.server.metrics.registry.getSingleMetric(name)!.get();
  const matching = metric.values.filter((value) => Object.entries(labels).every(([label, wanted]) => value.labels[label] === wanted));
  return matching.reduce((sum, value) => sum + value.value, 0);
}

const earlyAnswers = () => counter('jsg_response_cache_early_answers_total');

async function post(body: string, headers: Record<string, string> = {}) {
  const response = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${FULL_KEY}`, ...headers },
    body,
  });
  const responseHeaders = Object.fromEntries([...response.headers].filter(([name]) => name !== 'date' && name !== 'x-request-id'));
  return { status: response.status, headers: responseHeaders, text: await response.text() };
}

describe('what is answered early', () => {
  it.each([
    ['no Accept', 'NoAccept', {}],
    ['*/*', 'Anything', { accept: '*/*' }],
    ['application/json', 'Json', { accept: 'application/json' }],
    ['the GraphQL response type first', 'GraphQLFirst', { accept: 'application/graphql-response+json, application/json' }],
    ['JSON first', 'JsonFirst', { accept: 'application/json, application/graphql-response+json' }],
  ])('a repeated query, with %s: the same status, headers and body as yoga sent', async (_, name: string, accept: Record<string, string>) => {
    const body = JSON.stringify({ query: `query Repeated${name} { __typename }` });
    const before = await earlyAnswers();
    const executed = await post(body, accept);
    expect(await earlyAnswers()).toBe(before);
    const early = await post(body, accept);
    expect(await earlyAnswers()).toBe(before + 1);
    expect(early).toEqual(executed);
    expect(early.status).toBe(200);
  });

  it('counts an early answer as an operation and as a response cache hit, as yoga would have', async () => {
    const body = JSON.stringify({ query: 'query CountedEarly { __typename }' });
    await post(body);
    const operations = () => counter('jsg_graphql_operations_total', { type: 'query', name: 'CountedEarly', outcome: 'ok' });
    const hits = () => counter('jsg_response_cache_lookups_total', { result: 'hit' });
    const [operationsBefore, hitsBefore] = [await operations(), await hits()];
    await post(body);
    expect(await operations()).toBe(operationsBefore + 1);
    expect(await hits()).toBe(hitsBefore + 1);
  });

  it('answers the same variables early, and other variables by executing', async () => {
    const query = 'query WithVariables($first: Int) { trackedJobs(first: $first) { totalCount } }';
    await post(JSON.stringify({ query, variables: { first: 2 } }));
    const before = await earlyAnswers();
    const again = await post(JSON.stringify({ variables: { first: 2 }, query }));
    expect(await earlyAnswers()).toBe(before + 1);
    expect(JSON.parse(again.text)).toEqual({ data: { trackedJobs: { totalCount: 0 } } });
    await post(JSON.stringify({ query, variables: { first: 3 } }));
    expect(await earlyAnswers()).toBe(before + 1);
  });

  it('keeps apart what only looks alike: an empty operation name and none, a name and a line break in the text', async () => {
    const query = 'query Apart { __typename }';
    await post(JSON.stringify({ query, operationName: null }));
    const before = await earlyAnswers();
    const empty = await post(JSON.stringify({ query, operationName: '' }));
    expect(await earlyAnswers()).toBe(before);
    expect(empty.text).not.toBe('{"data":{"__typename":"Query"}}');
    const named = await post(JSON.stringify({ query: 'query A { __typename }\nquery B { __typename }', operationName: 'B' }));
    expect(JSON.parse(named.text)).toEqual({ data: { __typename: 'Query' } });
    await post(JSON.stringify({ query: 'query A { __typename }', operationName: 'B\nquery B { __typename }' }));
    expect(await earlyAnswers()).toBe(before);
  });
});

describe('what reaches yoga', () => {
  it("never answers a caller from another key's cached answer, and refuses a bad key with 401 whatever is cached", async () => {
    const body = JSON.stringify({ query: 'query PerKey { __typename }' });
    await post(body);
    await post(body);
    const before = await earlyAnswers();
    const other = await post(body, { authorization: `Bearer ${OTHER_KEY}` });
    expect(other.status).toBe(200);
    expect(await earlyAnswers()).toBe(before);
    const refused = await post(body, { authorization: 'Bearer not-a-key' });
    expect(refused.status).toBe(401);
    const missing = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(missing.status).toBe(401);
    expect(await earlyAnswers()).toBe(before);
  });

  it('leaves requests with an Origin (CORS headers), weighted Accept values and other content types to yoga', async () => {
    const body = JSON.stringify({ query: 'query LeftToYoga { __typename }' });
    await post(body);
    await post(body);
    const before = await earlyAnswers();
    const cors = await post(body, { origin: 'http://board.example' });
    expect(cors.headers['access-control-allow-origin']).toBe('http://board.example');
    const weighted = await post(body, { accept: 'application/json;q=0.5, application/graphql-response+json' });
    expect(weighted.status).toBe(200);
    const graphql = await post('query LeftToYoga { __typename }', { 'content-type': 'application/graphql' });
    expect(JSON.parse(graphql.text)).toEqual({ data: { __typename: 'Query' } });
    expect(await earlyAnswers()).toBe(before);
  });

  it('hands yoga the body it read: bad JSON, unknown parameters, extensions and batches get the answers yoga gives', async () => {
    const bad = await post('{"query": ');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).errors[0].message).toMatch(/JSON/);
    const unknown = await post(JSON.stringify({ query: '{ __typename }', colour: 'blue' }));
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.text).errors[0].message).toMatch(/colour/);
    const extensions = await post(JSON.stringify({ query: '{ __typename }', extensions: { note: 1 } }));
    expect(JSON.parse(extensions.text)).toEqual({ data: { __typename: 'Query' } });
    const empty = await post('{}');
    expect(JSON.parse(empty.text).errors[0].message).toBe('Must provide query string.');
    const batch = await post(JSON.stringify([{ query: '{ __typename }' }]));
    expect(batch.status).toBe(400);
    expect(JSON.parse(batch.text).errors[0].message).toBe('Batching is not supported.');
    const mutation = await post(JSON.stringify({ query: 'mutation { untrackJobs(ids: []) }' }));
    expect(JSON.parse(mutation.text)).toEqual({ data: { untrackJobs: [] } });
  });

  it('survives a client that goes away before its body has arrived', async () => {
    const { port } = new URL(api.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${FULL_KEY}\r\nContent-Length: 100\r\n\r\n{"query":`);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Answered after the server has read what the other socket sent before it.
    expect((await post(JSON.stringify({ query: '{ __typename }' }))).status).toBe(200);
    socket.destroy();
    await closed;
    const after = await post(JSON.stringify({ query: '{ __typename }' }));
    expect(after.status).toBe(200);
  });
});
