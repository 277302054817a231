import { describe, expect, it } from 'vitest';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import { VALID_SPEC } from './fixtures';

const ROLE = 'arn:aws:iam::123456789012:role/orders-api';
const QUEUE = 'arn:aws:sqs:eu-west-1:123456789012:orders-dlq';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:orders-failures';

/** VALID_SPEC (a Canary10Percent5Minutes spec) with a configuration block and another strategy. */
function specWith(configuration: string, strategy = '  preset: Canary10Percent5Minutes'): string {
  return `${VALID_SPEC.replace('  preset: Canary10Percent5Minutes', strategy)}configuration:\n${configuration}`;
}

describe('configuration.deadLetterTarget', () => {
  it.each([QUEUE, TOPIC])('accepts %s and keeps it in the spec', (arn) => {
    // Act
    const result = parseDeploymentSpec(specWith(`  deadLetterTarget: ${arn}\n`, '  preset: AllAtOnce'), 'spec.yaml');

    // Assess
    expect(result.ok && result.spec.configuration).toEqual({ deadLetterTarget: arn });
  });

  it.each([
    ['not an ARN', 'orders-dlq', /"orders-dlq" is not an SQS queue or SNS topic ARN/],
    ['a Lambda ARN', 'arn:aws:lambda:eu-west-1:123456789012:function:x', /is not an SQS queue or SNS topic ARN/],
    ['a FIFO queue', 'arn:aws:sqs:eu-west-1:123456789012:orders.fifo', /is a FIFO queue: Lambda takes only standard ones/],
  ])('refuses %s, saying where', (_what, value, message) => {
    // Act
    const result = parseDeploymentSpec(specWith(`  deadLetterTarget: ${value}\n`, '  preset: AllAtOnce'), 'spec.yaml');

    // Assess
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([expect.objectContaining({ path: 'configuration.deadLetterTarget', line: 11, column: 21, message: expect.stringMatching(message) })]);
  });
});

describe('a weighted alias needs one role and one dead-letter configuration', () => {
  it.each([
    ['role', `  role: ${ROLE}\n`, /same execution role.*fledge\.IncompatibleVersions.*allAtOnce or blueGreen; to keep the current role, leave configuration\.role out/],
    ['deadLetterTarget', `  deadLetterTarget: ${QUEUE}\n`, /same dead-letter queue configuration.*fledge\.IncompatibleVersions.*allAtOnce or blueGreen/],
  ])('warns, located, that a canary with configuration.%s may stop before any traffic moves', (field, configuration, message) => {
    // Act
    const result = parseDeploymentSpec(specWith(configuration), 'spec.yaml');

    // Assess: still valid — offline nobody knows the current version's setting.
    expect(result.ok).toBe(true);
    expect(result.ok && result.warnings).toEqual([expect.objectContaining({ path: `configuration.${field}`, line: 11, message: expect.stringMatching(message) })]);
  });

  it('warns for a linear strategy too, once per field', () => {
    // Act
    const result = parseDeploymentSpec(specWith(`  role: ${ROLE}\n  deadLetterTarget: ${TOPIC}\n`, '  linear: { percent: 50, interval: 5m }'), 'spec.yaml');

    // Assess
    expect(result.ok && result.warnings?.map((warning) => warning.path)).toEqual(['configuration.role', 'configuration.deadLetterTarget']);
  });

  it.each([
    ['allAtOnce', '  preset: AllAtOnce'],
    ['a canary straight to 100%', '  canary:\n    steps:\n      - setWeight: 100'],
  ])('says nothing for %s, which never splits the alias', (_what, strategy) => {
    // Act
    const result = parseDeploymentSpec(specWith(`  role: ${ROLE}\n`, strategy), 'spec.yaml');

    // Assess
    expect(result.ok).toBe(true);
    expect(result.ok && result.warnings).toBeUndefined();
  });

  it('says nothing for a first deployment, which gives the new function all traffic at once', () => {
    // Act
    const result = parseDeploymentSpec(specWith(`  role: ${ROLE}\n  runtime: nodejs22.x\n  handler: index.handler\n`), 'spec.yaml', { functionExists: false });

    // Assess
    expect(result.ok && result.warnings).toBeUndefined();
  });
});
