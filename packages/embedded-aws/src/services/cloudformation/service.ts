import { newRequestId } from '../../protocol';
import type { AwsService, LocalContext } from '../../types';
import type { XmlValue } from '../sns/wire';
import { QueryApiError, queryHandler, type QueryOperations } from '../query-service';

const CLOUDFORMATION_XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

/** A stack as the embedded CloudFormation knows it: what its deployment left, not a template it deployed. */
export interface StackDefinition {
  readonly stackName: string;
  /** Its outputs, by key (`HttpApiUrl`, `ArtifactsBucketName`, …). */
  readonly outputs: Readonly<Record<string, string>>;
  /** Default `CREATE_COMPLETE`. */
  readonly status?: string;
  readonly description?: string;
}

/** A stack as kept: its definition, when it was first put and its id (an ARN, kept across puts). */
type StoredStack = StackDefinition & { readonly createdAt: number; readonly stackId: string };

/** The embedded CloudFormation as tests and embedders see it: the stacks it describes. */
export interface CloudFormationService extends AwsService {
  /** Adds or replaces a stack (what deploying it would leave): its outputs, its status. */
  putStack(stack: StackDefinition): void;
  deleteStack(stackName: string): void;
}

/**
 * The embedded CloudFormation (awsQuery, signing name `cloudformation`): `DescribeStacks` only,
 * over the stacks an embedder puts ({@link CloudFormationService.putStack}) — local mode puts its
 * own, with the outputs fledge's stack has on AWS, so that what reads a stack's outputs reads it
 * the same way here. A stack it does not know is a `ValidationError` (400) worded as AWS words it.
 * It deploys no template.
 */
export function createCloudFormationService(context: LocalContext): CloudFormationService {
  const stacks = new Map<string, StoredStack>();

  const render = (stack: StoredStack): XmlValue => ({
    StackId: stack.stackId,
    StackName: stack.stackName,
    ...(stack.description === undefined ? {} : { Description: stack.description }),
    CreationTime: new Date(stack.createdAt).toISOString(),
    StackStatus: stack.status ?? 'CREATE_COMPLETE',
    Outputs: Object.entries(stack.outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
  });

  const operations: QueryOperations = {
    DescribeStacks: (_request, params) => {
      const name = params.get('StackName');
      if (name === undefined) return { Stacks: [...stacks.values()].map(render) };
      const stack = stacks.get(name) ?? [...stacks.values()].find((one) => one.stackId === name);
      if (!stack) throw new QueryApiError('ValidationError', 400, `Stack with id ${name} does not exist`);
      return { Stacks: [render(stack)] };
    },
  };

  return {
    signingName: 'cloudformation',
    putStack: (stack) => {
      const existing = stacks.get(stack.stackName);
      const stackId = existing?.stackId ?? `arn:aws:cloudformation:${context.region}:${context.accountId}:stack/${stack.stackName}/${newRequestId()}`;
      stacks.set(stack.stackName, { ...stack, createdAt: existing?.createdAt ?? context.clock.now(), stackId });
    },
    deleteStack: (stackName) => {
      stacks.delete(stackName);
    },
    handle: queryHandler(context, { faultName: 'cloudformation', xmlns: CLOUDFORMATION_XMLNS, describe: ['CloudFormation', '2010-05-15'], operations }),
    inspect(path: string) {
      if (path === 'stacks') return { stacks: [...stacks.values()].map(({ stackName, status, outputs }) => ({ stackName, status: status ?? 'CREATE_COMPLETE', outputs })) };
      return undefined;
    },
  };
}
