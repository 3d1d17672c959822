/**
 * Relay-style connections for the registry's lists: page sizes, opaque cursors, page info.
 *
 * A cursor is base64url of a small JSON array naming the list it belongs to and the row's sort
 * key (milliseconds and id, or a history sequence number). Keys are what keyset pagination
 * compares, so a cursor stays valid and exact while rows are added or removed around it. A
 * cursor that does not decode, or that was made for another list or order, is a
 * `CURSOR_INVALID` error rather than a silently wrong page.
 */
import { RegistryError } from './errors.js';

export const MAX_PAGE_SIZE = 500;

export interface PageInfo {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly startCursor: string | null;
  readonly endCursor: string | null;
}

export interface Edge<T> {
  readonly cursor: string;
  readonly node: T;
}

/** A page of a list: its edges and where it sits. */
export interface Page<T> {
  readonly edges: readonly Edge<T>[];
  readonly pageInfo: PageInfo;
}

export interface Connection<T> extends Page<T> {
  readonly totalCount: number;
}

/** Relay's arguments: `first`/`after` pages forward, `last`/`before` backward. */
export interface PageArgs {
  readonly first?: number | null | undefined;
  readonly after?: string | null | undefined;
  readonly last?: number | null | undefined;
  readonly before?: string | null | undefined;
}

export type PageRequest =
  | { readonly direction: 'forward'; readonly size: number; readonly cursor: string | null }
  | { readonly direction: 'backward'; readonly size: number; readonly cursor: string | null };

/**
 * Which way and how far to page. Neither `first` nor `last`: forward by `defaultSize`.
 * Both, a negative size or one over 500: `PAGE_SIZE_INVALID`.
 */
export function pageRequest(args: PageArgs, defaultSize: number): PageRequest {
  const { first, last } = args;
  if (first != null && last != null) throw new RegistryError('PAGE_SIZE_INVALID', 'pass either first or last, not both');
  for (const [name, value] of [['first', first], ['last', last]] as const) {
    if (value != null && (!Number.isInteger(value) || value < 0 || value > MAX_PAGE_SIZE)) {
      throw new RegistryError('PAGE_SIZE_INVALID', `${name} must be between 0 and ${MAX_PAGE_SIZE}, got ${value}`);
    }
  }
  if (last != null) return { direction: 'backward', size: last, cursor: args.before ?? null };
  if (args.before != null && first == null) return { direction: 'backward', size: defaultSize, cursor: args.before };
  return { direction: 'forward', size: first ?? defaultSize, cursor: args.after ?? null };
}

/** Encodes a cursor: the list's tag, then its key parts. */
export function encodeCursor(parts: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by `encodeCursor` with the same tag and `arity` numeric key parts after
 * it, or throws `CURSOR_INVALID`.
 */
export function decodeCursor(cursor: string, tag: readonly string[], arity: number): number[] {
  const invalid = (): RegistryError => new RegistryError('CURSOR_INVALID', 'the cursor is not one this list made');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw invalid();
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parts) || parts.length !== tag.length + arity) throw invalid();
  if (tag.some((value, index) => parts[index] !== value)) throw invalid();
  const key = parts.slice(tag.length);
  if (!key.every((value): value is number => Number.isSafeInteger(value) && value >= 0)) throw invalid();
  return key;
}
