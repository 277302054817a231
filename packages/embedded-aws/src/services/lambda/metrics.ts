import type { MetricDatumInternal, MetricsInternal } from '../../types';

/** One invocation as the metrics see it. */
export interface InvocationFacts {
  readonly functionName: string;
  /** The qualifier the caller used (alias name or version), undefined for an unqualified invoke. */
  readonly qualifier: string | undefined;
  /** Set when the invocation came through an alias: the version that actually ran. */
  readonly executedVersion: string | undefined;
  /** Simulated epoch ms the invocation started. */
  readonly timestamp: number;
  readonly outcome: { readonly kind: 'ran'; readonly failed: boolean; readonly durationMs: number } | { readonly kind: 'throttled' };
  /** Whether it ran on provisioned concurrency or spilled over to on-demand instances; absent without PC in play. */
  readonly provisioned?: 'provisioned' | 'spillover';
}

/**
 * The `AWS/Lambda` datums of one invocation, with the dimension sets Lambda publishes:
 * `{FunctionName}`, `{FunctionName, Resource}` and, for alias invocations,
 * `{FunctionName, Resource, ExecutedVersion}` — where `Resource` is `name:qualifier` (the name,
 * never the ARN) and the bare name for an unqualified invoke.
 */
export function invocationDatums(facts: InvocationFacts): MetricDatumInternal[] {
  const resource = facts.qualifier === undefined ? facts.functionName : `${facts.functionName}:${facts.qualifier}`;
  const dimensionSets: Record<string, string>[] = [{ FunctionName: facts.functionName }, { FunctionName: facts.functionName, Resource: resource }];
  if (facts.executedVersion !== undefined) dimensionSets.push({ FunctionName: facts.functionName, Resource: resource, ExecutedVersion: facts.executedVersion });
  const values: { metricName: string; value: number; unit: string }[] =
    facts.outcome.kind === 'throttled'
      ? [{ metricName: 'Throttles', value: 1, unit: 'Count' }]
      : [
          { metricName: 'Invocations', value: 1, unit: 'Count' },
          { metricName: 'Errors', value: facts.outcome.failed ? 1 : 0, unit: 'Count' },
          { metricName: 'Duration', value: facts.outcome.durationMs, unit: 'Milliseconds' },
          // Lambda's provisioned concurrency metrics, for a version or alias with PC ("Monitoring concurrency").
          ...(facts.provisioned === undefined
            ? []
            : [
                { metricName: 'ProvisionedConcurrencyInvocations', value: facts.provisioned === 'provisioned' ? 1 : 0, unit: 'Count' },
                { metricName: 'ProvisionedConcurrencySpilloverInvocations', value: facts.provisioned === 'spillover' ? 1 : 0, unit: 'Count' },
              ]),
        ];
  return dimensionSets.flatMap((dimensions) => values.map((v) => ({ ...v, dimensions, timestamp: facts.timestamp })));
}

/**
 * Sends invocation metrics to the embedded CloudWatch. Without one (it is optional in the
 * embedded AWS), invocations still work and the first miss is logged once.
 */
export class LambdaMetrics {
  private warned = false;

  constructor(private readonly metrics: () => MetricsInternal, private readonly log: (message: string) => void) {}

  record(facts: InvocationFacts): void {
    let sink: MetricsInternal;
    try {
      sink = this.metrics();
    } catch (error) {
      if (!this.warned) {
        this.warned = true;
        this.log(`lambda: invocation metrics are not recorded: ${(error as Error).message}`);
      }
      return;
    }
    sink.put('AWS/Lambda', invocationDatums(facts));
  }
}
