import type { HealthSpec } from '../../model/spec';

/**
 * Whether the event-driven abort is armed for a deployment of this health: alarms gate it (the
 * spec's `alarms`, or fledge's own alarm on the new version that `errorRate` creates), so an alarm
 * going to ALARM rolls back at once (docs/engine.md#event-driven-abort).
 */
export function abortArmed(health: Pick<HealthSpec, 'alarms' | 'errorRate'>): boolean {
  return health.alarms.length > 0 || health.errorRate !== undefined;
}

/**
 * Seconds between the scheduled checks of a pause: `armedCheckInterval` while the abort is armed
 * and it is set, else `checkInterval`. The engine schedules its bakes and the planner counts its
 * checks with this one value.
 */
export function checkIntervalOf(health: Pick<HealthSpec, 'alarms' | 'errorRate' | 'checkInterval' | 'armedCheckInterval'>): number {
  return health.armedCheckInterval !== undefined && abortArmed(health) ? health.armedCheckInterval : health.checkInterval;
}
