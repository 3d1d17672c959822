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
 *
 * `directNext` goes one step further for an event's usual result (one without errors): its whole
 * message, made once per result and operation id, is written to the socket at once, without
 * graphql-ws's per-message promises (see `mapEvents` in `shared-event-execution.ts`, which calls
 * it only while graphql-ws waits for the operation's next value, so the order of messages holds).
 */
import type { ExecutionResult, FormattedExecutionResult } from 'graphql';
import type { WebSocket } from 'ws';

/** How a token starts in the JSON text: a control character no JSON of ours begins a string with. */
const TOKEN_START = '\u0001';
/** The token as `JSON.stringify` writes it, after the payload's key. */
const PAYLOAD_TOKEN = `"payload":${JSON.stringify(TOKEN_START).slice(0, -1)}`;

/**
 * Bytes a socket may have waiting to be written before `directNext` declines: the message then
 * goes through graphql-ws, which waits for each write to finish before it asks for the next
 * event, so a slow client's backlog waits in its event queue instead of in socket buffers.
 */
export const DIRECT_BUFFERED_BYTES = 64 * 1024;

/** Writes one result as an operation's `next` message; false when it did not (the caller then sends it the usual way). */
export type DirectNext = (result: ExecutionResult) => boolean;

const CLOSE_BRACE = Buffer.from('}');
const AS_TEXT = Object.freeze({ binary: false });

type Send = (data: unknown, options: unknown, callback?: (error?: Error) => void) => void;

export class SharedFrames {
  /** Result object → its JSON bytes, as graphql-ws would write the payload. */
  private readonly bodies = new WeakMap<object, Buffer>();
  /** Per socket: token → bytes, from `payloadFor` until its `send`. */
  private readonly pending = new WeakMap<WebSocket, Map<string, Buffer>>();
  /** Result object → message prefix (which holds the operation id) → the whole message's bytes. */
  private readonly messages = new WeakMap<object, Map<string, Buffer>>();
  /** Per socket: its own `send`, from before `adopt` wrapped it. */
  private readonly sends = new WeakMap<WebSocket, Send>();
  private tokens = 0;

  /** Wraps `socket.send` so that a message carrying a token is sent with the token's bytes instead. */
  adopt(socket: WebSocket): void {
    const pending = new Map<string, Buffer>();
    this.pending.set(socket, pending);
    const send = socket.send.bind(socket) as Send;
    this.sends.set(socket, send);
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
    const body = this.bodyOf(result);
    this.tokens = (this.tokens + 1) % Number.MAX_SAFE_INTEGER;
    const token = `${TOKEN_START}${this.tokens.toString(36)}`;
    pending.set(token, body);
    // Not a result: graphql-ws only validates it as an object and writes its JSON, the token.
    return { toJSON: () => token } as FormattedExecutionResult;
  }

  /**
   * For operation `id` on an adopted `socket`: writes a result without errors as the `next`
   * message graphql-ws would have sent, byte for byte. Declines (false) a result with errors
   * (error masking and formatting are graphql-ws's and yoga's), a socket that is not open, and
   * one with more than `DIRECT_BUFFERED_BYTES` waiting. Null for a socket this does not know.
   */
  directNext(socket: WebSocket, id: string): DirectNext | null {
    const send = this.sends.get(socket);
    if (!send) return null;
    const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
    return (result) => {
      if (result.errors?.length || socket.readyState !== socket.OPEN || socket.bufferedAmount > DIRECT_BUFFERED_BYTES) return false;
      let byPrefix = this.messages.get(result);
      if (!byPrefix) this.messages.set(result, (byPrefix = new Map()));
      let message = byPrefix.get(prefix);
      if (!message) byPrefix.set(prefix, (message = Buffer.concat([Buffer.from(prefix), this.bodyOf(result), CLOSE_BRACE])));
      send(message, AS_TEXT);
      return true;
    };
  }

  /** The payload's JSON bytes, as graphql-ws writes a result (errors by their `toJSON`), made once per result. */
  private bodyOf(result: ExecutionResult): Buffer {
    let body = this.bodies.get(result);
    if (!body) {
      const { errors, ...rest } = result;
      body = Buffer.from(JSON.stringify(errors ? { ...rest, errors: errors.map((error) => error.toJSON()) } : rest));
      this.bodies.set(result, body);
    }
    return body;
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
