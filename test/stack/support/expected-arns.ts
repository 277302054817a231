/**
 * The ARNs the template must use, rendered by `render()` (template.ts), for the default stage
 * `dev`. The allow-lists are the ManagedFunctions / ManagedRoles stack parameters.
 */
export const MANAGED_FUNCTIONS = ['arn:{AWS::Partition}:lambda:{AWS::Region}:{AWS::AccountId}:function:{ManagedFunctions}', 'arn:{AWS::Partition}:lambda:{AWS::Region}:{AWS::AccountId}:function:{ManagedFunctions}:*'];
export const MANAGED_ROLES = 'arn:{AWS::Partition}:iam::{AWS::AccountId}:role/{ManagedRoles}';
export const ARTIFACT_BUCKET = 'arn:{AWS::Partition}:s3:::fledge-dev-artifacts-{AWS::AccountId}-{AWS::Region}';
/** fledge's bucket and the ArtifactBuckets allow-list: where zips may come from. */
export const ARTIFACT_BUCKETS = [ARTIFACT_BUCKET, 'arn:{AWS::Partition}:s3:::{ArtifactBuckets}'];
export const ARTIFACT_BUCKET_OBJECTS = ARTIFACT_BUCKETS.map((bucket) => `${bucket}/*`);
/** The ImageRepositories allow-list, in the stack's region, any account (the repository's policy must allow it too). */
export const IMAGE_REPOSITORIES = 'arn:{AWS::Partition}:ecr:{AWS::Region}:*:repository/{ImageRepositories}';
/** Lambda layers of any account in the stack's region (a function's layers must be in its region). */
export const LAYERS = 'arn:{AWS::Partition}:lambda:{AWS::Region}:*:layer:*:*';
export const FLEDGE_ALARMS = 'arn:{AWS::Partition}:cloudwatch:{AWS::Region}:{AWS::AccountId}:alarm:fledge-*';
export const TOPICS = ['{ApprovalTopic}', '{NotificationTopic}'];
/** The deployment state machine's executions (DescribeExecution authorises on the execution, not the machine). */
export const DEPLOYMENT_EXECUTIONS = 'arn:{AWS::Partition}:states:{AWS::Region}:{AWS::AccountId}:execution:{DeploymentStateMachine.Name}:*';
/** The wave runner's executions (a wave run's start whose answer was lost is looked up there). */
export const WAVE_RUN_EXECUTIONS = 'arn:{AWS::Partition}:states:{AWS::Region}:{AWS::AccountId}:execution:{WavesStateMachine.Name}:*';
/** fledge's own functions (`fledge-<stage>-…`), which no role may change or invoke as "managed". */
export const CONTROL_PLANE = ['arn:{AWS::Partition}:lambda:{AWS::Region}:{AWS::AccountId}:function:fledge-dev-*', 'arn:{AWS::Partition}:lambda:{AWS::Region}:{AWS::AccountId}:function:fledge-dev-*:*'];
