import { invalidParameter, validation, validationMessage } from './errors';

/** One page of a list operation, with the opaque marker of the next page when there is one. */
export interface Page<T> {
  readonly items: T[];
  readonly nextMarker: string | undefined;
}

/**
 * Pages a list the way Lambda's List* operations do: `MaxItems` 1..10000 (default 50) and an
 * opaque `Marker` handed back as `NextMarker`.
 */
export function paginate<T>(all: readonly T[], marker: string | null, maxItemsText: string | null): Page<T> {
  let maxItems = 50;
  if (maxItemsText !== null) {
    maxItems = Number(maxItemsText);
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10_000) {
      throw validation(validationMessage(maxItemsText, 'maxItems', 'Member must have value between 1 and 10000'));
    }
  }
  let start = 0;
  if (marker !== null && marker !== '') {
    const decoded = /^fledge:(\d+)$/.exec(Buffer.from(marker, 'base64url').toString('utf8'));
    if (!decoded) throw invalidParameter(`Invalid marker: ${marker}`);
    start = Number(decoded[1]);
  }
  const items = all.slice(start, start + maxItems);
  const next = start + maxItems;
  return { items, nextMarker: next < all.length ? Buffer.from(`fledge:${next}`).toString('base64url') : undefined };
}
