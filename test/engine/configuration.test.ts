import { describe, expect, it } from 'vitest';
import { ENVIRONMENT, readConfig, requireConfig, stageOf } from '../../shared/config/env';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:n';

/** The one configuration schema (shared/config/env.ts): every variable fledge's functions read. */
describe('the configuration', () => {
  it('reads each variable that is set into its field, trimmed', () => {
    // Act
    const { config, problems } = readConfig({ FLEDGE_TABLE_NAME: ' t ', FLEDGE_NOTIFICATION_TOPIC_ARN: TOPIC, AWS_REGION: 'eu-west-1', FLEDGE_API_URL: '' });

    // Assess
    expect(problems).toEqual([]);
    expect(config).toEqual({ tableName: 't', notificationTopicArn: TOPIC, region: 'eu-west-1' });
  });

  it('gives a function the slice it asks for, and names every variable that is missing', () => {
    // Act
    const slice = requireConfig({ FLEDGE_TABLE_NAME: 't', FLEDGE_NOTIFICATION_TOPIC_ARN: TOPIC }, ['tableName', 'notificationTopicArn']);
    const missing = (): unknown => requireConfig({}, ['tableName', 'notificationTopicArn', 'apiUrl']);

    // Assess
    expect(slice.tableName).toBe('t');
    expect(missing).toThrow(expect.objectContaining({ name: 'fledge.Configuration', message: 'fledge is misconfigured: FLEDGE_TABLE_NAME is not set; FLEDGE_NOTIFICATION_TOPIC_ARN is not set; FLEDGE_API_URL is not set' }));
  });

  it.each([
    ['FLEDGE_NOTIFICATION_TOPIC_ARN', 'not-an-arn', 'FLEDGE_NOTIFICATION_TOPIC_ARN must be an sns ARN, got "not-an-arn"'],
    ['FLEDGE_APPROVAL_TOPIC_ARN', 'arn:aws:sqs:eu-west-1:123456789012:q', 'FLEDGE_APPROVAL_TOPIC_ARN must be an sns ARN'],
    ['FLEDGE_STATE_MACHINE_ARN', TOPIC, 'FLEDGE_STATE_MACHINE_ARN must be a states ARN'],
    ['FLEDGE_STAGE', 'prod.eu', 'FLEDGE_STAGE must be 1-64 letters, digits, "-" or "_", got "prod.eu"'],
    ['FLEDGE_API_URL', 'abc123.execute-api.eu-west-1.amazonaws.com', 'FLEDGE_API_URL must be an http(s) URL'],
    ['FLEDGE_API_URL', 'https://api.example.com/?next=evil', 'FLEDGE_API_URL must be an http(s) URL'],
    ['FLEDGE_APPROVAL_SECRET_PARAMETER', 'my key', 'FLEDGE_APPROVAL_SECRET_PARAMETER must be an SSM parameter name'],
    ['FLEDGE_ARTIFACTS_BUCKET', 'Upper_Case', 'FLEDGE_ARTIFACTS_BUCKET must be an S3 bucket name'],
  ])('refuses %s=%s, saying what it must be, even when the function does not need it', (variable, value, message) => {
    // Act
    const read = (): unknown => requireConfig({ FLEDGE_TABLE_NAME: 't', [variable]: value }, ['tableName']);

    // Assess
    expect(read).toThrow(expect.objectContaining({ name: 'fledge.Configuration', message: expect.stringContaining(message) }));
  });

  it('does not call a malformed required variable missing as well', () => {
    // Act
    const read = (): unknown => requireConfig({ FLEDGE_TABLE_NAME: 't', FLEDGE_NOTIFICATION_TOPIC_ARN: 'x' }, ['tableName', 'notificationTopicArn']);

    // Assess
    expect(read).toThrow('fledge is misconfigured: FLEDGE_NOTIFICATION_TOPIC_ARN must be an sns ARN, got "x"');
  });

  it('reads the stage that scopes the alarms fledge creates, dev when unset', () => {
    // Act
    const prod = readConfig({ FLEDGE_STAGE: 'prod' }).config;
    const unset = readConfig({}).config;

    // Assess
    expect(stageOf(prod)).toBe('prod');
    expect(stageOf(unset)).toBe('dev');
  });

  it('describes every variable the stack sets on fledge’s functions', () => {
    // Prepare: the variables serverless.yml and the tables set (AWS_REGION is Lambda's).
    const known = Object.values(ENVIRONMENT).map((v) => v.name);

    // Assess
    for (const name of ['FLEDGE_TABLE_NAME', 'FLEDGE_NOTIFICATION_TOPIC_ARN', 'FLEDGE_APPROVAL_TOPIC_ARN', 'FLEDGE_STAGE', 'FLEDGE_STATE_MACHINE_ARN', 'FLEDGE_API_URL', 'FLEDGE_APPROVAL_SECRET_PARAMETER', 'FLEDGE_SLACK_WEBHOOK_PARAMETER', 'FLEDGE_ARTIFACTS_BUCKET']) {
      expect(known).toContain(name);
    }
  });
});
