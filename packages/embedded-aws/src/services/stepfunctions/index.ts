import type { IncomingMessage, ServerResponse } from 'node:http';
import { takeFault } from '../../faults';
import { newRequestId, sendAwsJsonError } from '../../protocol';
import type { AwsService, LocalContext } from '../../types';
import { StepFunctionsApiError, unknownOperation, validationError } from './errors';
import type { ExecutionRecord } from './model';
import { StepFunctions } from './service';
import type { StatusChangeSubscription } from './status-events';

export { StepFunctionsApiError } from './errors';
export type { StatusChangeSubscription } from './status-events';

/** What the embedded Step Functions offers its siblings and local mode. */
export interface StepFunctionsInternal {
  /** Delivers each execution status change the subscription wants to its function (InvocationType Event); returns the unsubscribe. */
  subscribeStatusChanges(subscription: StatusChangeSubscription): () => void;
}

const operations = [
  'CreateStateMachine',
  'UpdateStateMachine',
  'DescribeStateMachine',
  'ListStateMachines',
  'DeleteStateMachine',
  'StartExecution',
  'DescribeExecution',
  'DescribeStateMachineForExecution',
  'ListExecutions',
  'StopExecution',
  'GetExecutionHistory',
  'SendTaskSuccess',
  'SendTaskFailure',
  'SendTaskHeartbeat',
] as const;
type Operation = (typeof operations)[number];

/**
 * The embedded Step Functions (awsJson1_0, `X-Amz-Target: AWSStepFunctions.<Operation>`):
 * state machines and Standard executions run by our engine over aws-local-stepfunctions, on
 * the simulated clock, with Lambda tasks invoking the embedded Lambda.
 *
 * Inspection: `GET /_fledge/states/executions` (all), `GET /_fledge/states/executions/<arn or name>`
 * (status and history events), `GET /_fledge/states/subscriptions`.
 */
export function createStepFunctionsService(context: LocalContext): AwsService & { readonly internal: StepFunctionsInternal } {
  const service = new StepFunctions(context);
  return {
    signingName: 'states',
    internal: { subscribeStatusChanges: (subscription) => service.subscribeStatusChanges(subscription) },
    async start() {
      service.load();
    },
    async stop() {
      await service.shutdown();
    },
    async handle(request: IncomingMessage, response: ServerResponse, body: Buffer) {
      try {
        const operation = operationOf(request);
        const fault = await takeFault(context, 'states', operation);
        if (fault) return sendAwsJsonError(response, fault);
        const result = service[operation](parseBody(body));
        const text = JSON.stringify(result);
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': newRequestId() });
        response.end(text);
      } catch (error) {
        if (!(error instanceof StepFunctionsApiError)) throw error;
        sendAwsJsonError(response, { status: error.status, code: error.code, message: error.message });
      }
    },
    inspect(path: string) {
      const [kind, ...rest] = path.split('/');
      const key = decodeURIComponent(rest.join('/'));
      if (kind === 'executions' && key === '') return service.listExecutionRecords().map(summary);
      if (kind === 'executions') {
        const execution = service.findExecution(key);
        return execution ? { ...summary(execution), input: execution.input, output: execution.output, events: execution.events } : undefined;
      }
      if (kind === 'subscriptions' && key === '') return service.listSubscriptions();
      return undefined;
    },
  };
}

function summary(execution: ExecutionRecord): Record<string, unknown> {
  const { executionArn, stateMachineArn, name, status, startDate, stopDate, error, cause } = execution;
  return { executionArn, stateMachineArn, name, status, startDate, stopDate, error, cause };
}

function operationOf(request: IncomingMessage): Operation {
  const target = request.headers['x-amz-target'];
  const match = typeof target === 'string' ? /^AWSStepFunctions\.(\w+)$/.exec(target) : null;
  const operation = match?.[1];
  if (!operation || !(operations as readonly string[]).includes(operation)) {
    throw unknownOperation(`the embedded Step Functions does not offer the operation '${String(target ?? '(no X-Amz-Target header)')}'`);
  }
  return operation as Operation;
}

function parseBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw validationError('the request body is not a JSON object');
}
