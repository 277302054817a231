import { sanitiseDeep } from '../text/sanitise';
import { NOTIFICATION_KINDS, type DeploymentNotification, type NotificationKind } from './notification';

/**
 * The JSON every channel but e-mail and chat receives for one event: EventBridge's `detail`, the
 * body of a `json` webhook (docs/events.md#the-event-document). Version 1: fields are only ever
 * added. User text in it (reasons, names, comments) went through {@link sanitiseDeep}.
 */
export interface EventDetail {
  readonly schemaVersion: 1;
  /** `<deploymentId>/<history key>`: the same for every try and channel; drop repeats on it. */
  readonly eventId: string;
  readonly kind: NotificationKind;
  /** The EventBridge detail-type of this kind. */
  readonly detailType: string;
  /** ISO 8601 time of the event. */
  readonly time: string;
  readonly deploymentId: string;
  readonly functionName: string;
  readonly alias: string;
  readonly newVersion?: string;
  readonly previousVersion?: string;
  readonly startedBy: string;
  /** Where to follow the deployment: `<API URL>/deployments/<id>`, when the installation has an API. */
  readonly link?: string;
  readonly github?: { readonly repository: string; readonly ref: string; readonly environment?: string };
  /** What is particular to the kind (docs/events.md#kinds). */
  readonly data: Readonly<Record<string, unknown>>;
}

/** The {@link EventDetail} of an event. */
export function eventDetail(event: { readonly id: string; readonly at: number; readonly notification: DeploymentNotification }, link?: string): EventDetail {
  const { kind, deploymentId, functionName, alias, newVersion, previousVersion, startedBy, github, ...data } = sanitiseDeep(event.notification);
  return {
    schemaVersion: 1,
    eventId: event.id,
    kind,
    detailType: NOTIFICATION_KINDS[kind],
    time: new Date(event.at).toISOString(),
    deploymentId,
    functionName,
    alias,
    ...(newVersion === undefined ? {} : { newVersion }),
    ...(previousVersion === undefined ? {} : { previousVersion }),
    startedBy,
    ...(link === undefined ? {} : { link }),
    ...(github === undefined ? {} : { github }),
    data: kind === 'approvalRequested' && 'expiresAt' in data ? { ...data, expiresAt: new Date(Number(data.expiresAt)).toISOString() } : data,
  };
}

/** `<apiUrl>/deployments/<id>`: where a person follows a deployment (the API's GET route). */
export function deploymentLink(apiUrl: string | undefined, deploymentId: string): string | undefined {
  return apiUrl === undefined ? undefined : `${apiUrl.replace(/\/+$/, '')}/deployments/${encodeURIComponent(deploymentId)}`;
}
