export type { Clock } from './clock';
export type { AlarmStatus, ErrorCounts, HealthSignals, VersionAlarmDefinition, VersionMetricsQuery, MinuteCounts } from './health-signals';
export type { DeploymentPatch, DeploymentQuery, DeploymentStore, UpdateConditions } from './deployment-store';
export type { FunctionState, InvokeResult, LambdaRegistry, PublishedVersion } from './lambda-registry';
export type { DeploymentNotification, NotificationFacts, Notifier } from './notifier';
export type { Orchestrator } from './orchestrator';
export type { WebhookAttempt, WebhookDelivery, WebhookSender } from './webhooks';
