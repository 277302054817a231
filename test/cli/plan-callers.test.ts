import { AddPermissionCommand, CreateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existingFunction } from '../../local/world/functions';
import { runCliAsync, startCliWorld, type CliWorld } from './cli-world';
import { runCli, writeSpecs } from './run-cli';

const ROLE = 'arn:aws:iam::000000000000:role/fledge-test-function';
const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:orders-queue';
const CODE = { 'index.mjs': 'export const handler = async () => "v1";' };

const specFor = (name: string, extra = '') => `version: 1
function: ${name}
alias: live
artifact:
  zip: s3://bucket/${name}.zip
strategy:
  preset: Canary10Percent5Minutes
${extra}`;

describe('fledge plan --callers (the real CLI, on the embedded AWS)', () => {
  let world: CliWorld;

  beforeAll(async () => {
    world = await startCliWorld();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('reports an SQS mapping on $LATEST and exits 1 when callers: strict would refuse the deployment', async () => {
    // Prepare
    const name = 'plan-callers-strict';
    await existingFunction(world, name, CODE, { role: ROLE });
    await world.lambda.send(new CreateEventSourceMappingCommand({ FunctionName: `${name}:$LATEST`, EventSourceArn: QUEUE }));
    await world.lambda.send(new AddPermissionCommand({ FunctionName: name, Qualifier: 'live', StatementId: 'sns-live', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com' }));
    const files = writeSpecs({ 'strict.yaml': specFor(name, 'callers: strict\n') });

    // Act
    const result = await runCliAsync(world, ['plan', files['strict.yaml']!, '--callers', '--local']);

    // Assess
    expect(result.stdout).toMatch(/^Callers of plan-callers-strict \(read from local mode at http:\/\/[^)]+\)$/m);
    expect(result.stdout).toMatch(/^ {2}bypass {2}event source mapping [0-9a-f-]+ from arn:aws:sqs:us-east-1:000000000000:orders-queue invokes plan-callers-strict through \$LATEST, not alias live$/m);
    expect(result.stdout).toMatch(/^ {2}ok {6}permission sns-live for sns\.amazonaws\.com \(alias live\)$/m);
    expect(result.stdout).toMatch(/^callers: strict: this deployment will be refused before anything changes/m);
    expect(result.code).toBe(1);
  });

  it('shows the same audit as JSON and exits 0 when the spec only warns', async () => {
    // Prepare
    const name = 'plan-callers-warn';
    await existingFunction(world, name, CODE, { role: ROLE });
    await world.lambda.send(new CreateEventSourceMappingCommand({ FunctionName: name, EventSourceArn: QUEUE }));
    const files = writeSpecs({ 'warn.yaml': specFor(name) });

    // Act
    const result = await runCliAsync(world, ['plan', files['warn.yaml']!, '--callers', '--local', '--output', 'json']);

    // Assess
    const output = JSON.parse(result.stdout);
    expect(output.callers.bypassing).toEqual([{ caller: expect.objectContaining({ kind: 'eventSourceMapping', source: QUEUE }), target: 'the unqualified function ($LATEST)' }]);
    expect(result.code).toBe(0);
  });

  it('plans a spec file alone offline, without reading any account', () => {
    // Act: no --callers, and no AWS reachable (no region, no credentials).
    const result = runCli(['plan', 'examples/canary.yaml'], { env: { AWS_REGION: '', AWS_ACCESS_KEY_ID: '', AWS_PROFILE: '' } });
    // Assess
    expect(result.stdout).not.toContain('Callers of');
    expect(result.code).toBe(0);
  });
});
