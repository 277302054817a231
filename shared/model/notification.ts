import type { PromotionEvidence } from './deployment';

/** Facts every notification carries. */
export interface NotificationFacts {
  readonly deploymentId: string;
  readonly functionName: string;
  readonly alias: string;
  readonly newVersion?: string;
  readonly previousVersion?: string;
  readonly startedBy: string;
  /** The target of a wave run this deployment deployed to (`eu (account 111111111111, eu-west-1)`); absent for fledge's own account and region. */
  readonly target?: string;
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
