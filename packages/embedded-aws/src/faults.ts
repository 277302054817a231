import type { AwsErrorShape } from './protocol/errors';
import type { FaultInjector, FaultRule, LocalContext } from './types';

/** In-memory fault rules, consumed first-match-first by the services' operations. */
export function createFaultInjector(): FaultInjector {
  let rules: FaultRule[] = [];
  return {
    add({ count, ...rule }) {
      if (!Number.isInteger(count) || count < 1) throw new RangeError(`fault count must be a positive integer, got ${String(count)}`);
      rules.push({ ...rule, remaining: count });
    },
    take(service, operation) {
      const rule = rules.find((r) => r.service === service && (r.operation === '*' || r.operation === operation));
      if (!rule) return undefined;
      rule.remaining -= 1;
      if (rule.remaining <= 0) rules = rules.filter((r) => r !== rule);
      return rule;
    },
    clear() {
      rules = [];
    },
    list: () => rules,
  };
}

/** How one service names its throttling and internal errors on the wire. */
export interface ServiceFaultNames {
  readonly throttle: { readonly code: string; readonly status: number };
  readonly serverError: { readonly code: string; readonly status: number };
}

/**
 * The throttling and server-error names each AWS service really answers with, so an injected
 * `throttle` or `serverError` looks to the SDK (and its retry strategy) exactly like AWS's.
 * Keys are SigV4 signing names. DynamoDB answers data-plane throttling differently, see
 * {@link dynamoDbFaultNames}.
 */
export const faultNamesByService: Readonly<Record<string, ServiceFaultNames>> = {
  s3: { throttle: { code: 'SlowDown', status: 503 }, serverError: { code: 'InternalError', status: 500 } },
  dynamodb: { throttle: { code: 'ThrottlingException', status: 400 }, serverError: { code: 'InternalServerError', status: 500 } },
  lambda: { throttle: { code: 'TooManyRequestsException', status: 429 }, serverError: { code: 'ServiceException', status: 500 } },
  monitoring: { throttle: { code: 'Throttling', status: 400 }, serverError: { code: 'InternalServiceFault', status: 500 } },
  sns: { throttle: { code: 'Throttled', status: 429 }, serverError: { code: 'InternalError', status: 500 } },
  states: { throttle: { code: 'ThrottlingException', status: 400 }, serverError: { code: 'InternalServerError', status: 500 } },
  events: { throttle: { code: 'ThrottlingException', status: 400 }, serverError: { code: 'InternalException', status: 500 } },
  sts: { throttle: { code: 'Throttling', status: 400 }, serverError: { code: 'InternalFailure', status: 500 } },
  cloudformation: { throttle: { code: 'Throttling', status: 400 }, serverError: { code: 'InternalFailure', status: 500 } },
};

const dynamoDbDataPlane = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem', 'TransactGetItems', 'TransactWriteItems']);

/**
 * DynamoDB throttles item operations with `ProvisionedThroughputExceededException` and its
 * control plane (CreateTable, DescribeTable, …) with `ThrottlingException`, both HTTP 400.
 */
export function dynamoDbFaultNames(operation: string): ServiceFaultNames {
  const base = faultNamesByService.dynamodb as ServiceFaultNames;
  return dynamoDbDataPlane.has(operation) ? { ...base, throttle: { code: 'ProvisionedThroughputExceededException', status: 400 } } : base;
}

/** The error a fault rule stands for, in the given service's own names. */
export function faultError(rule: FaultRule, names: ServiceFaultNames): AwsErrorShape {
  switch (rule.kind) {
    case 'throttle':
      return { status: rule.status ?? names.throttle.status, code: rule.code ?? names.throttle.code, message: rule.message ?? 'Rate exceeded (fault injected by the embedded AWS)' };
    case 'serverError':
      return { status: rule.status ?? names.serverError.status, code: rule.code ?? names.serverError.code, message: rule.message ?? 'We encountered an internal error. Please try again. (fault injected by the embedded AWS)' };
    default:
      return { status: rule.status ?? 400, code: rule.code ?? 'InjectedFault', message: rule.message ?? `${rule.code ?? 'InjectedFault'} (fault injected by the embedded AWS)` };
  }
}

/**
 * What a service calls at the start of each operation: consumes one matching fault rule, if any.
 * A `latency` rule delays the call by `latencyMs` of simulated time and lets it proceed
 * (resolves undefined); any other rule resolves to the error to render instead of the
 * operation, e.g. with `sendAwsJsonError` from `local/protocol`.
 *
 * @example
 *   const fault = await takeFault(context, 'lambda', 'UpdateAlias');
 *   if (fault) return sendRestJsonError(response, { ...fault, fields: { Type: 'User' } });
 */
export async function takeFault(
  context: Pick<LocalContext, 'faults' | 'clock'>,
  service: string,
  operation: string,
  names: ServiceFaultNames = faultNamesByService[service] ?? { throttle: { code: 'ThrottlingException', status: 400 }, serverError: { code: 'InternalFailure', status: 500 } },
): Promise<AwsErrorShape | undefined> {
  const rule = context.faults.take(service, operation);
  if (!rule) return undefined;
  if (rule.kind === 'latency') {
    await context.clock.sleep(rule.latencyMs ?? 0);
    return undefined;
  }
  return faultError(rule, names);
}
