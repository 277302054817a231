import type { AliasRouting } from '../../model/deployment';

const EPSILON = 1e-9;

/** Whether two routings send traffic the same way (a weight of 0 counts as no weight). */
export function sameRouting(a: AliasRouting, b: AliasRouting): boolean {
  if (a.version !== b.version) return false;
  const keys = new Set([...Object.keys(a.weights), ...Object.keys(b.weights)]);
  for (const key of keys) {
    if (Math.abs((a.weights[key] ?? 0) - (b.weights[key] ?? 0)) > EPSILON) return false;
  }
  return true;
}

/** Whether some traffic goes to an additional version: the half-shifted state. */
export function isSplit(routing: AliasRouting): boolean {
  return Object.values(routing.weights).some((weight) => weight > EPSILON);
}

/**
 * The routing that puts `percent` of the traffic on `newVersion`. 0 and 100 are whole routings
 * with no additional weights: `{new: 1.0}` as an additional weight is NOT a promotion.
 */
export function routingFor(oldVersion: string, newVersion: string, percent: number): AliasRouting {
  if (percent <= 0) return { version: oldVersion, weights: {} };
  if (percent >= 100) return { version: newVersion, weights: {} };
  // Lambda keeps weights with at most 5 decimals; round so a re-read compares equal.
  return { version: oldVersion, weights: { [newVersion]: Math.round(percent * 1000) / 100_000 } };
}

/** Human-readable routing, for reasons and notifications. */
export function describeRouting(routing: AliasRouting | null | undefined): string {
  if (!routing) return 'no alias';
  const extra = Object.entries(routing.weights).filter(([, weight]) => weight > EPSILON);
  if (extra.length === 0) return `all traffic on version ${routing.version}`;
  const parts = extra.map(([version, weight]) => `${round(weight * 100)}% on version ${version}`);
  const rest = 100 - extra.reduce((sum, [, weight]) => sum + weight * 100, 0);
  return `${round(rest)}% on version ${routing.version}, ${parts.join(', ')}`;
}

/** Percent of traffic on `version` under `routing`. */
export function percentOn(routing: AliasRouting, version: string): number {
  const extra = Object.values(routing.weights).reduce((sum, weight) => sum + weight, 0);
  if (routing.version === version) return round((1 - extra) * 100);
  return round((routing.weights[version] ?? 0) * 100);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
