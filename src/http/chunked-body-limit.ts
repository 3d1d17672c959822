/**
 * `BODY_LIMIT_BYTES` for request bodies that arrive without a `Content-Length` (chunked).
 *
 * Why not yoga's own `maxRequestBodySize`: it pipes every body through a `TransformStream`, and the
 * Node stream pipeline behind it makes an `AbortController` per request and aborts it when the body
 * ends, building a `DOMException` with its stack each time: about half of a `{ __typename }`
 * request's CPU on this service (BENCHMARKS.md, "The request floor"). A body with a declared length
 * needs no counting: the front door (`server.ts`) refuses one declared over the limit, and Node's
 * HTTP parser never reads past the declared length. So only a chunked body is counted, here.
 */
import { createGraphQLError, type Plugin } from 'graphql-yoga';

/** A yoga plugin that refuses a chunked body with 413 once it has grown past `limitBytes`. */
export function useChunkedBodyLimit(limitBytes: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      if (request.body == null || requestParser == null || request.headers.has('content-length')) return;
      setRequestParser((original) => requestParser(countedRequest(original, limitBytes, fetchAPI)));
    },
  };
}

type FetchApi = Parameters<NonNullable<Plugin['onRequestParse']>>[0]['fetchAPI'];

function countedRequest(request: Request, limitBytes: number, fetchAPI: FetchApi): Request {
  // A native stream only pipes into a native TransformStream, the ponyfill's only into its own.
  const Transform = request.body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
  let received = 0;
  const counter = new Transform<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      received += chunk.byteLength;
      if (received > limitBytes) controller.error(bodyTooLarge(limitBytes));
      else controller.enqueue(chunk);
    },
  });
  return new fetchAPI.Request(request.url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    body: request.body!.pipeThrough(counter),
    // Required by the fetch API for a streamed request body.
    duplex: 'half',
  } as RequestInit);
}

function bodyTooLarge(limitBytes: number) {
  return createGraphQLError(`Request body too large: at most ${limitBytes} bytes are accepted`, {
    extensions: { http: { status: 413 }, code: 'REQUEST_ENTITY_TOO_LARGE' },
  });
}
