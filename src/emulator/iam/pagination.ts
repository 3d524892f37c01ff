/** Marker / MaxItems / IsTruncated paging over a list ordered by a unique key. */
import { iamError } from './errors.js';

const DEFAULT_MAX_ITEMS = 100;
const MARKER_PREFIX = 'm1.';

export interface Page<T> {
  items: T[];
  IsTruncated: boolean;
  Marker?: string;
}

const encodeMarker = (key: string) => MARKER_PREFIX + Buffer.from(key, 'utf8').toString('base64url');

function decodeMarker(marker: string): string {
  if (!marker.startsWith(MARKER_PREFIX)) throw iamError('ValidationError', `Invalid Marker: ${marker}`);
  return Buffer.from(marker.slice(MARKER_PREFIX.length), 'base64url').toString('utf8');
}

/** One page of `all`, sorted by `keyOf`; the marker names the last key returned, so deletions between pages are harmless. */
export function paginate<T>(all: readonly T[], keyOf: (item: T) => string, marker: string | undefined, maxItems: number | undefined): Page<T> {
  const sorted = [...all].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const after = marker === undefined ? undefined : decodeMarker(marker);
  const remaining = after === undefined ? sorted : sorted.filter((item) => keyOf(item) > after);
  const limit = maxItems ?? DEFAULT_MAX_ITEMS;
  const items = remaining.slice(0, limit);
  if (remaining.length <= limit) return { items, IsTruncated: false };
  return { items, IsTruncated: true, Marker: encodeMarker(keyOf(items[items.length - 1]!)) };
}
