/**
 * What a caller may ask ImageKit to start (copy, move or rename a folder, purge a cached URL), and
 * the checks made before anything is sent. The checks catch what is certainly wrong whatever the
 * account (an empty path, a path past 1 024 characters, a purge URL that is not http(s)), so the
 * schema can answer a clear GraphQL error without spending a start; everything else (a missing
 * folder, a root source, a locked path) is the provider's to refuse, and its refusal is data.
 */

/** One start, as the schema's inputs say it; the optional flags default to false. */
export type ImageKitStartRequest =
  | {
      readonly action: 'COPY_FOLDER';
      readonly sourceFolderPath: string;
      readonly destinationPath: string;
      /** Copy every version of each file, not only the current one. */
      readonly includeVersions?: boolean | null;
    }
  | { readonly action: 'MOVE_FOLDER'; readonly sourceFolderPath: string; readonly destinationPath: string }
  | {
      readonly action: 'RENAME_FOLDER';
      readonly folderPath: string;
      readonly newFolderName: string;
      /** Also purge the CDN cache of the renamed files; the job then names its purge request. */
      readonly purgeCache?: boolean | null;
    }
  | { readonly action: 'PURGE_CACHE'; readonly url: string };

export type ImageKitStartAction = ImageKitStartRequest['action'];

/** The longest folder path or name accepted, in characters. */
export const MAX_PATH_LENGTH = 1024;

/** The longest purge URL accepted, in characters (far beyond any real one; a bound on what we send). */
export const MAX_PURGE_URL_LENGTH = 8192;

/**
 * The first thing certainly wrong with a start request, as a message naming the field (`sourceFolderPath
 * must not be empty`), or null when it may be sent. Never throws, whatever the values are.
 */
export function startRequestProblem(request: ImageKitStartRequest): string | null {
  switch (request.action) {
    case 'COPY_FOLDER':
    case 'MOVE_FOLDER':
      return pathProblem('sourceFolderPath', request.sourceFolderPath) ?? pathProblem('destinationPath', request.destinationPath);
    case 'RENAME_FOLDER':
      return pathProblem('folderPath', request.folderPath) ?? pathProblem('newFolderName', request.newFolderName);
    case 'PURGE_CACHE':
      return purgeUrlProblem(request.url);
  }
}

/** Why a folder path (or name) cannot be sent, or null: empty or blank, or longer than `MAX_PATH_LENGTH`. */
export function pathProblem(field: string, value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return `${field} must not be empty`;
  if (value.length > MAX_PATH_LENGTH) return `${field} is ${value.length} characters long; at most ${MAX_PATH_LENGTH} are allowed`;
  return null;
}

/** Why a purge URL cannot be sent, or null: it must be an absolute http or https URL. */
export function purgeUrlProblem(value: unknown, field = 'url'): string | null {
  if (typeof value !== 'string' || value.trim() === '') return `${field} must not be empty`;
  if (value.length > MAX_PURGE_URL_LENGTH) return `${field} is ${value.length} characters long; at most ${MAX_PURGE_URL_LENGTH} are allowed`;
  let protocol: string;
  try {
    protocol = new URL(value).protocol;
  } catch {
    return `${field} must be an absolute http(s) URL`;
  }
  return protocol === 'http:' || protocol === 'https:' ? null : `${field} must be an http(s) URL, not ${protocol.replace(/:$/, '')}`;
}
