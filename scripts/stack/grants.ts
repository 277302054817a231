import type { EngineFunctionSpec, StackValue } from '../../functions/engine-functions';

/**
 * Where each IAM action an engine function may call is granted: the statement (its Sid) that
 * holds it, on which resources, under which condition. A role of serverless/roles/engine.yml is
 * its row's actions (functions/engine-functions.ts) grouped by these grants, in this order. An
 * action named by no grant fails the generator: say here where it may act before a row uses it.
 */
export interface Grant {
  readonly sid: string;
  /** Why the statement reads as it does, for the actions granted: written above it in the generated YAML. */
  readonly why?: string | ((actions: readonly string[]) => string | undefined);
  readonly actions: readonly string[];
  /** The resources; a function of the actions granted (Query needs the indexes) or of the row (the parameters its environment names) when they decide it. */
  readonly resource: StackValue | ((actions: readonly string[], row: EngineFunctionSpec) => StackValue);
  readonly condition?: StackValue;
  /** The rows the grant is for, when an action means different resources to different functions (two signing keys); every row otherwise. */
  readonly appliesTo?: (row: EngineFunctionSpec) => boolean;
}

const sub = (text: string): StackValue => ({ 'Fn::Sub': text });
const getAtt = (name: string, attribute: string): StackValue => ({ 'Fn::GetAtt': [name, attribute] });
const ref = (name: string): StackValue => ({ Ref: name });

/** The functions fledge may act on (the ManagedFunctions allow-list), their versions and aliases. */
export const MANAGED_FUNCTIONS: StackValue = [
  sub('arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${ManagedFunctions}'),
  sub('arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${ManagedFunctions}:*'),
];

/** fledge's own functions: never changed, invoked or re-routed by fledge, whatever the allow-list says. */
export const CONTROL_PLANE: StackValue = [
  sub('arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:fledge-${sls:stage}-*'),
  sub('arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:fledge-${sls:stage}-*:*'),
];

/** With RequireManagedTag=true, only while the function carries the tag fledge:managed=true. */
const MANAGED_TAG: StackValue = { 'Fn::If': ['RequireManagedTag', { StringEquals: { 'aws:ResourceTag/fledge:managed': 'true' } }, ref('AWS::NoValue')] };

/** fledge's alarms: every one is named fledge-<stage>.<function>.<alias>.v<version> (earlier releases: fledge-<function>-<alias>-v<version>). */
const FLEDGE_ALARMS = sub('arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:fledge-*');

/**
 * The ARNs of the SSM parameters a row's environment names (its `*_PARAMETER` variables), in its
 * order: a name given as a stack parameter (`{ Ref: 'GitHubTokenParameter' }`) goes into the ARN
 * as `${GitHubTokenParameter}`. An empty stack parameter (the channel off) leaves `…:parameter`,
 * which names no parameter.
 */
export function parameterArns(row: EngineFunctionSpec): StackValue[] {
  return Object.entries(row.environment)
    .filter(([name]) => name.endsWith('_PARAMETER'))
    .map(([name, value]) => {
      const text = typeof value === 'string' ? value : value !== null && typeof value === 'object' && 'Ref' in value && typeof value.Ref === 'string' ? `\${${value.Ref}}` : undefined;
      if (text === undefined) throw new Error(`functions/engine-functions.ts: ${name} must be a parameter name or a Ref to a stack parameter`);
      return sub(`arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${text}`);
    });
}

/** The grants, in the order a role lists its statements. */
export const GRANTS: readonly Grant[] = [
  {
    sid: 'DeploymentsTable',
    why: (actions) => (actions.includes('dynamodb:Query') ? 'Query reads the listing indexes (open deployments by status, held locks, versions other deployments still need).' : undefined),
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
    resource: (actions) => (actions.includes('dynamodb:Query') ? [getAtt('DeploymentsTable', 'Arn'), sub('${DeploymentsTable.Arn}/index/*')] : getAtt('DeploymentsTable', 'Arn')),
  },
  {
    sid: 'ManagedFunctions',
    why: (actions) =>
      [
        actions.includes('lambda:InvokeFunction') ? 'Hooks are invoked too: they must match the allow-list as well.' : '',
        actions.includes('lambda:DeleteFunction') ? 'DeleteFunction with a version qualifier: the cleanup of old versions.' : '',
      ]
        .filter(Boolean)
        .join(' ') || undefined,
    actions: [
      'lambda:GetAlias',
      'lambda:GetFunctionConfiguration',
      'lambda:UpdateFunctionConfiguration',
      'lambda:UpdateFunctionCode',
      'lambda:PublishVersion',
      'lambda:InvokeFunction',
      'lambda:UpdateAlias',
      'lambda:CreateAlias',
      'lambda:DeleteAlias',
      'lambda:ListAliases',
      'lambda:ListVersionsByFunction',
      'lambda:DeleteFunction',
      'lambda:GetPolicy',
      'lambda:ListFunctionUrlConfigs',
      'lambda:GetProvisionedConcurrencyConfig',
      'lambda:PutProvisionedConcurrencyConfig',
      'lambda:DeleteProvisionedConcurrencyConfig',
    ],
    resource: MANAGED_FUNCTIONS,
    condition: MANAGED_TAG,
  },
  {
    sid: 'CreateManagedFunctions',
    why: 'CreateFunction has no tag to check yet, so it is bound by the name pattern, and must give the new function the managed tag (tagging on create is TagResource), and no other.',
    actions: ['lambda:CreateFunction', 'lambda:TagResource'],
    resource: MANAGED_FUNCTIONS,
    condition: { StringEquals: { 'aws:RequestTag/fledge:managed': 'true' }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['fledge:managed'] } },
  },
  {
    sid: 'PassManagedRoles',
    actions: ['iam:PassRole'],
    resource: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${ManagedRoles}'),
    condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
  },
  {
    sid: 'AssumeTargetRoles',
    why: 'A wave run acts in its targets (a spec\'s targets) with the roles there; TargetRoles names them (docs/deploy.md#target-accounts).',
    actions: ['sts:AssumeRole'],
    resource: sub('arn:${AWS::Partition}:iam::*:role/${TargetRoles}'),
  },
  {
    sid: 'ReadArtifacts',
    why: 'Lambda fetches the zip with the caller’s permissions.',
    actions: ['s3:GetObject', 's3:GetObjectVersion'],
    resource: [sub('arn:${AWS::Partition}:s3:::${self:custom.artifactsBucketName}/*'), sub('arn:${AWS::Partition}:s3:::${ArtifactBuckets}/*')],
  },
  {
    sid: 'ArtifactBuckets',
    why: 'Without it S3 answers 403 AccessDenied, not 404 NoSuchKey, for a missing zip.',
    actions: ['s3:ListBucket'],
    resource: [sub('arn:${AWS::Partition}:s3:::${self:custom.artifactsBucketName}'), sub('arn:${AWS::Partition}:s3:::${ArtifactBuckets}')],
  },
  {
    sid: 'PullImages',
    actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
    resource: sub('arn:${AWS::Partition}:ecr:${AWS::Region}:*:repository/${ImageRepositories}'),
  },
  {
    sid: 'ReadEventSourceMappings',
    why: 'The caller audit lists the mappings that invoke the function: ListEventSourceMappings supports no resource-level permissions, AWS accepts only Resource *.',
    actions: ['lambda:ListEventSourceMappings'],
    resource: '*',
  },
  {
    sid: 'ReadLayers',
    why: 'Layers of any account (public ones included) in the function’s region: read-only.',
    actions: ['lambda:GetLayerVersion'],
    resource: sub('arn:${AWS::Partition}:lambda:${AWS::Region}:*:layer:*:*'),
  },
  {
    sid: 'VersionAlarms',
    why: 'fledge’s own alarms only: every one is named fledge-<stage>.<function>.<alias>.v<version> (releases before it: fledge-<function>-<alias>-v<version>, deleted by the deployments that made them).',
    actions: ['cloudwatch:PutMetricAlarm', 'cloudwatch:TagResource', 'cloudwatch:DeleteAlarms'],
    resource: FLEDGE_ALARMS,
  },
  {
    sid: 'ReadAlarms',
    why: 'DescribeAlarms can only be scoped to *: narrower scopes hide composite alarms.',
    actions: ['cloudwatch:DescribeAlarms'],
    resource: '*',
  },
  {
    sid: 'ReadVersionMetrics',
    why: 'The new version’s Errors and Invocations, judged at each check. GetMetricData supports no resource-level permissions: AWS accepts only Resource *.',
    actions: ['cloudwatch:GetMetricData'],
    resource: '*',
  },
  {
    sid: 'Notify',
    actions: ['sns:Publish'],
    resource: [ref('ApprovalTopic'), ref('NotificationTopic')],
  },
  {
    sid: 'PublishEvents',
    why: 'Every event of a deployment, on the bus the EventBus parameter names (docs/events.md).',
    actions: ['events:PutEvents'],
    resource: sub('arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${EventBus}'),
  },
  {
    sid: 'ReadParameters',
    why: 'Exactly the SSM parameters its environment names (*_PARAMETER), no other. A SecureString under the AWS managed key aws/ssm needs no kms:Decrypt (docs/deploy.md).',
    actions: ['ssm:GetParameter'],
    resource: (_actions, row) => {
      const arns = parameterArns(row);
      return arns.length === 1 ? arns[0]! : arns;
    },
  },
  {
    sid: 'SigningKey',
    why: 'The approval links’ signing key, read as the approval pages read it (serverless/roles/interface.yml, ApprovalsRole).',
    appliesTo: (row) => 'FLEDGE_APPROVAL_SECRET_PARAMETER' in row.environment,
    actions: ['secretsmanager:GetSecretValue'],
    resource: ref('ApprovalSigningSecret'),
  },
  {
    sid: 'WebhookKey',
    why: "The webhook signing key (docs/spec.md#webhooks): signs the requests of the spec's webhooks and of the outgoing notification webhooks.",
    appliesTo: (row) => 'FLEDGE_WEBHOOK_SECRET_PARAMETER' in row.environment,
    actions: ['secretsmanager:GetSecretValue'],
    resource: ref('WebhookSigningSecret'),
  },
  {
    sid: 'FailedEvents',
    why: 'Lambda delivers the failed asynchronous event with this role.',
    actions: ['sqs:SendMessage'],
    resource: getAtt('FailedEventsQueue', 'Arn'),
  },
  {
    sid: 'TargetDeployments',
    why: 'A wave run starts each target’s deployment on the deployment state machine, and fails the pending approval of one it stops (the wave runner, or the repair loop winding down a run whose runner died).',
    actions: ['states:StartExecution', 'states:SendTaskFailure'],
    resource: ref('DeploymentStateMachine'),
  },
  {
    sid: 'DeploymentExecutions',
    why: (actions) => (actions.includes('states:StopExecution') ? 'Stop the execution of a deployment it rolled back.' : 'Whether a deployment’s execution still runs: a running one is never touched.'),
    actions: ['states:DescribeExecution', 'states:StopExecution'],
    // The repair loop also looks for wave runs' executions (a run whose runner died is ended by it).
    resource: (_actions, row) => {
      const deployments = sub('arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${DeploymentStateMachine.Name}:*');
      return 'FLEDGE_WAVES_STATE_MACHINE_ARN' in row.environment ? [deployments, sub('arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${WavesStateMachine.Name}:*')] : deployments;
    },
  },
];

/**
 * The actions a role must deny on fledge's own functions: every Lambda action it is allowed that
 * changes or invokes a function (all but Get* and List*), so even ManagedFunctions=* never lets
 * fledge rewrite, invoke or re-route itself — a dropped spec must not be a way into its privileges.
 */
export function controlPlaneDenials(actions: readonly string[]): string[] {
  return actions.filter((action) => action.startsWith('lambda:') && !/^lambda:(Get|List)/.test(action));
}
