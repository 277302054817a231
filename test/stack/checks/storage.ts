import { describe, expect, it } from 'vitest';
import { deploymentTableDefinition, TTL_ATTRIBUTE } from '../../../shared/adapters/dynamodb-table';
import { findCycle } from '../support/dependencies';
import { ARTIFACT_BUCKET } from '../support/expected-arns';
import { render, resourcesOfType } from '../support/template';
import type { StackContext } from '../support/context';

/** Failed-event queue, artifacts bucket, deployments table, dependency graph. */
export function storageChecks(ctx: StackContext): void {
  describe('failed asynchronous events', () => {
    it('keeps what the safety net and the S3 trigger could not handle in an encrypted queue for two weeks', () => {
      for (const key of ['SafetyNet', 'S3Trigger']) {
        // Act
        const config = ctx.resource(`${key}LambdaEvConf`).Properties!;

        // Assess
        expect(config.MaximumRetryAttempts, key).toBe(2);
        expect(render((config.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination), key).toBe('{FailedEventsQueue.Arn}');
      }
      expect(ctx.resource('FailedEventsQueue').Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
      expect(JSON.stringify(ctx.resource('FailedEventsQueuePolicy').Properties)).toContain('"aws:SecureTransport":"false"');
    });
  });

  describe('storage', () => {
    it('keeps artifacts in a versioned, encrypted, private bucket that only accepts TLS 1.2+', () => {
      // Act
      const bucket = ctx.resource('ArtifactsBucket');
      const policy = resourcesOfType(ctx.template, 'AWS::S3::BucketPolicy').find(([, p]) => render(p.Properties?.Bucket) === '{ArtifactsBucket}')?.[1];
      const statements = (policy?.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;

      // Assess
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.Properties!.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(bucket.Properties!.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
      expect(bucket.Properties!.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      expect(bucket.Properties!.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
      const denyPlainHttp = statements.find((s) => JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }));
      expect(denyPlainHttp).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 's3:*' });
      expect((denyPlainHttp!.Resource as unknown[]).map(render)).toEqual(['{ArtifactsBucket.Arn}', '{ArtifactsBucket.Arn}/*']);
      expect(statements.find((s) => JSON.stringify(s.Condition) === JSON.stringify({ NumericLessThan: { 's3:TlsVersion': '1.2' } }))).toMatchObject({ Effect: 'Deny', Action: 's3:*' });
    });

    it('creates the deployments table exactly as shared/adapters/dynamodb-table.ts lays it out', () => {
      // Prepare
      const layout = deploymentTableDefinition('unused');
      const byName = <T extends { AttributeName?: string; IndexName?: string }>(items: readonly T[] | undefined) => [...(items ?? [])].sort((a, b) => String(a.AttributeName ?? a.IndexName).localeCompare(String(b.AttributeName ?? b.IndexName)));

      // Act
      const table = ctx.resource('DeploymentsTable');
      const p = table.Properties as Record<string, never>;

      // Assess
      expect(p.BillingMode).toBe(layout.BillingMode);
      expect(p.KeySchema).toEqual(layout.KeySchema);
      expect(byName(p.AttributeDefinitions)).toEqual(byName(layout.AttributeDefinitions));
      expect(byName(p.GlobalSecondaryIndexes)).toEqual(byName(layout.GlobalSecondaryIndexes));
    });

    it('sends uploads under deployments/ to the S3 trigger, with a permission that creates no dependency cycle', () => {
      // Act
      const notification = ctx.resource('ArtifactsBucket').Properties!.NotificationConfiguration as { LambdaConfigurations: { Event: string; Function: unknown; Filter: unknown }[] };
      const permission = resourcesOfType(ctx.template, 'AWS::Lambda::Permission').find(([, p]) => p.Properties?.Principal === 's3.amazonaws.com')?.[1];

      // Assess
      expect(notification.LambdaConfigurations).toHaveLength(1);
      const [config] = notification.LambdaConfigurations;
      expect(config!.Event).toBe('s3:ObjectCreated:*');
      expect(render(config!.Function)).toBe('{S3TriggerLambdaFunction.Arn}');
      expect(config!.Filter).toEqual({ S3Key: { Rules: [{ Name: 'prefix', Value: 'deployments/' }] } });
      expect(render(permission!.Properties!.FunctionName)).toBe('{S3TriggerLambdaFunction.Arn}');
      expect(render(permission!.Properties!.SourceArn)).toBe(ARTIFACT_BUCKET);
      expect(render(permission!.Properties!.SourceAccount)).toBe('{AWS::AccountId}');
      expect([ctx.resource('ArtifactsBucket').DependsOn].flat()).toContain(permission === undefined ? 'missing' : resourcesOfType(ctx.template, 'AWS::Lambda::Permission').find(([, p]) => p === permission)![0]);
    });

    it('has no dependency cycle between its resources', () => {
      // Act
      const cycle = findCycle(ctx.template);

      // Assess
      expect(cycle).toEqual([]);
    });

    it('protects the table: point-in-time recovery, encryption, TTL on expiring records, retained on removal', () => {
      // Act
      const table = ctx.resource('DeploymentsTable');

      // Assess
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(table.Properties!.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(table.Properties!.SSESpecification).toEqual({ SSEEnabled: true });
      expect(table.Properties!.TimeToLiveSpecification).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
      expect(table.Properties!.DeletionProtectionEnabled).toBe(true);
    });
  });
}
