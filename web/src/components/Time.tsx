/** A time as people read it ("5 minutes ago") in a `<time>` that keeps the exact instant. */
import { absoluteTime, relativeTime } from '../format.js';

export function Time({ iso, now }: { iso: string; now: number }) {
  return (
    <time dateTime={iso} title={absoluteTime(iso)}>
      {relativeTime(iso, now)}
    </time>
  );
}
