import { invalidArn, invalidName } from './errors';

/**
 * AWS's rule for state machine and execution names: 1–80 characters, none of whitespace,
 * brackets `< > { } [ ]`, wildcards `? *`, the characters `" # % \ ^ | ~ \` $ & , ; : /`,
 * nor control characters.
 */
// eslint-disable-next-line no-control-regex
const forbidden = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

/** Throws AWS's `InvalidName` when `name` breaks the naming rule; `what` names the field. */
export function checkName(name: string, what: string): void {
  if (name.length < 1 || name.length > 80) throw invalidName(`Invalid Name: '${name}' (${what} must be 1 to 80 characters long)`);
  const bad = forbidden.exec(name);
  if (bad) throw invalidName(`Invalid Name: '${name}' (${what} must not contain ${JSON.stringify(bad[0])})`);
}

/** ARN of a state machine. */
export function stateMachineArn(region: string, accountId: string, name: string): string {
  return `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;
}

/** ARN of an execution of the named state machine. */
export function executionArn(region: string, accountId: string, stateMachineName: string, name: string): string {
  return `arn:aws:states:${region}:${accountId}:execution:${stateMachineName}:${name}`;
}

/** The state machine name in a state machine ARN; `InvalidArn` otherwise. */
export function parseStateMachineArn(arn: unknown, member = 'stateMachineArn'): string {
  const match = typeof arn === 'string' ? /^arn:aws[\w-]*:states:[\w-]+:\d{12}:stateMachine:([^:]+)$/.exec(arn) : null;
  if (!match?.[1]) throw invalidArn(`Invalid Arn: '${String(arn)}' (${member} must be a state machine ARN)`);
  return match[1];
}

/** The state machine and execution names in an execution ARN; `InvalidArn` otherwise. */
export function parseExecutionArn(arn: unknown, member = 'executionArn'): { stateMachineName: string; name: string } {
  const match = typeof arn === 'string' ? /^arn:aws[\w-]*:states:[\w-]+:\d{12}:execution:([^:]+):([^:]+)$/.exec(arn) : null;
  if (!match?.[1] || !match[2]) throw invalidArn(`Invalid Arn: '${String(arn)}' (${member} must be an execution ARN)`);
  return { stateMachineName: match[1], name: match[2] };
}
