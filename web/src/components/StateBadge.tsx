/** A job's state as a coloured badge that also says it in words (never colour alone). */
import { STATE_NAMES } from '../enums.js';
import type { JobState } from '../gql/graphql.js';

export function StateBadge({ state, raw }: { state: JobState; raw?: string }) {
  // SAYMON's raw status is its `finished` flag ("true"/"false"), which says nothing the badge does not.
  const showRaw = raw !== undefined && !/^(true|false)$/i.test(raw) && raw.toLowerCase() !== STATE_NAMES[state].toLowerCase();
  return (
    <span class={`badge badge-${state.toLowerCase()}`} title={raw ? `Provider says: ${raw}` : undefined}>
      {STATE_NAMES[state]}
      {showRaw && <span class="badge-raw"> ({raw})</span>}
    </span>
  );
}
