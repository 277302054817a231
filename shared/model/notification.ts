import type { PromotionEvidence } from './deployment';

/** Facts every notification carries. */
export interface NotificationFacts {
  readonly deploymentId: string;
  readonly functionName: string;
  readonly alias: string;
  readonly newVersion?: string;
  readonly previousVersion?: string;
  readonly startedBy: string;
  /** A group's deployment: every member, with its versions and how it ended. */
  readonly members?: readonly MemberFacts[];
}

/** One member of a group, as a notification names it. */
export interface MemberFacts {
  readonly functionName: string;
  readonly alias: string;
  readonly newVersion?: string;
  readonly previousVersion?: string;
  readonly status?: string;
}

/** Something a person should know about a deployment. */
export type DeploymentNotification =
  | (NotificationFacts & { readonly kind: 'promoted'; readonly evidence: PromotionEvidence })
  | (NotificationFacts & { readonly kind: 'rolledBack'; readonly reason: string })
  | (NotificationFacts & { readonly kind: 'drifted'; readonly reason: string; readonly aliasDescription: string })
  | (NotificationFacts & { readonly kind: 'failed'; readonly reason: string; readonly aliasDescription: string })
  | (NotificationFacts & { readonly kind: 'rejected'; readonly reason: string })
  | (NotificationFacts & {
      readonly kind: 'approvalRequested';
      readonly approvalId: string;
      /** Epoch ms after which the approval counts as rejected. */
      readonly expiresAt: number;
      readonly message?: string;
      readonly currentWeight: number;
      readonly health: string;
    });
