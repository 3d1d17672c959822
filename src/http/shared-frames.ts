/**
 * One serialization of an event's result for every WebSocket subscriber that gets it.
 *
 * Subscribers of one audience get the very same result object for an event
 * (`shared-event-execution.ts`), but graphql-ws turns it into JSON text for each of them, and the
 * socket turns that text into bytes again: at ten thousand subscribers, the same kilobyte
 * stringified and encoded ten thousand times a second. Here the result's bytes are made once
 * (kept as long as the result object lives) and each subscriber's message is its own small
 * envelope (`{"id":…,"type":"next","payload":…}`) around them.
 *
 * graphql-ws offers no way to send bytes of our own, so `payloadFor` (its `onNext` hook) answers a
 * stand-in whose JSON is a token, and the socket's `send`, wrapped when the socket connects,
 * swaps the token for the bytes. What reaches the client is byte for byte what graphql-ws would
 * have sent.
 */
import type { ExecutionResult, FormattedExecutionResult } from 'graphql';
import type { WebSocket } from 'ws';

/** How a token starts in the JSON text: a control character no JSON of ours begins a string with. */
const TOKEN_START = '\u0001';
/** The token as `JSON.stringify` writes it, after the payload's key. */
const PAYLOAD_TOKEN = `"payload":${JSON.stringify(TOKEN_START).slice(0, -1)}`;

export class SharedFrames {
  /** Result object → its JSON bytes, as graphql-ws would write the payload. */
  private readonly bodies = new WeakMap<object, Buffer>();
  /** Per socket: token → bytes, from `payloadFor` until its `send`. */
  private readonly pending = new WeakMap<WebSocket, Map<string, Buffer>>();
  private tokens = 0;

  /** Wraps `socket.send` so that a message carrying a token is sent with the token's bytes instead. */
  adopt(socket: WebSocket): void {
    const pending = new Map<string, Buffer>();
    this.pending.set(socket, pending);
    const send = socket.send.bind(socket) as (data: unknown, options: unknown, callback?: (error?: Error) => void) => void;
    const wrapped = (data: unknown, optionsOrCallback?: unknown, callback?: (error?: Error) => void): void => {
      const done = (typeof optionsOrCallback === 'function' ? optionsOrCallback : callback) as ((error?: Error) => void) | undefined;
      const options = typeof optionsOrCallback === 'function' ? {} : (optionsOrCallback ?? {});
      if (typeof data === 'string' && pending.size > 0) {
        const framed = this.frame(data, pending);
        if (framed) return send(framed, { ...(options as object), binary: false }, done);
      }
      send(data, options, done);
    };
    (socket as unknown as { send: typeof wrapped }).send = wrapped;
  }

  /**
   * graphql-ws's `onNext`: the stand-in payload for `result` on `socket` (or undefined, to let
   * graphql-ws write it, for a socket this does not know).
   */
  payloadFor(socket: WebSocket, result: ExecutionResult): FormattedExecutionResult | undefined {
    const pending = this.pending.get(socket);
    if (!pending) return undefined;
    let body = this.bodies.get(result);
    if (!body) {
      const { errors, ...rest } = result;
      body = Buffer.from(JSON.stringify(errors ? { ...rest, errors: errors.map((error) => error.toJSON()) } : rest));
      this.bodies.set(result, body);
    }
    this.tokens = (this.tokens + 1) % Number.MAX_SAFE_INTEGER;
    const token = `${TOKEN_START}${this.tokens.toString(36)}`;
    pending.set(token, body);
    // Not a result: graphql-ws only validates it as an object and writes its JSON, the token.
    return { toJSON: () => token } as FormattedExecutionResult;
  }

  /** `message` with its token replaced by the token's bytes; null when it carries none. */
  private frame(message: string, pending: Map<string, Buffer>): Buffer | null {
    const at = message.lastIndexOf(PAYLOAD_TOKEN);
    if (at < 0) return null;
    const start = at + PAYLOAD_TOKEN.length;
    const end = message.indexOf('"', start);
    if (end < 0) return null;
    const token = TOKEN_START + message.slice(start, end);
    const body = pending.get(token);
    if (!body) return null;
    pending.delete(token);
    const keyEnd = at + '"payload":'.length;
    return Buffer.concat([Buffer.from(message.slice(0, keyEnd)), body, Buffer.from(message.slice(end + 1))]);
  }
}
