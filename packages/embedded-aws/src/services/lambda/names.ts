import { invalidParameter, resourceNotFound, validation, validationMessage } from './errors';

/** Where the embedded Lambda lives: ARNs are built from these. */
export interface LambdaLocation {
  readonly region: string;
  readonly accountId: string;
}

/** A FunctionName parameter taken apart: the bare name and the qualifier it carried, if any. */
export interface FunctionReference {
  readonly name: string;
  readonly qualifier: string | undefined;
}

// AWS's model pattern for FunctionName (name, `name:qualifier`, `account:function:name`, full ARN).
const FUNCTION_NAME = /^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const FUNCTION_NAME_PATTERN = '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';
const BARE_NAME = /^[a-zA-Z0-9-_]+$/;
const ALIAS_NAME = /^(?!\d+$)[a-zA-Z0-9-_]+$/;
const VERSION = /^\d+$/;

/**
 * Parses a FunctionName parameter in any of the forms AWS accepts (`my-fn`, `my-fn:live`,
 * `123456789012:function:my-fn`, `arn:aws:lambda:us-east-1:123456789012:function:my-fn:7`) and
 * reconciles it with a separate `Qualifier` parameter, with AWS's errors for each violation.
 */
export function parseFunctionName(raw: string | undefined, qualifier: string | undefined, where: LambdaLocation): FunctionReference {
  if (raw === undefined || raw === '') throw validation(validationMessage(raw, 'functionName', 'Member must not be null'));
  if (raw.length > 140) throw validation(validationMessage(raw, 'functionName', 'Member must have length less than or equal to 140'));
  const match = FUNCTION_NAME.exec(raw);
  if (!match) throw validation(validationMessage(raw, 'functionName', `Member must satisfy regular expression pattern: ${FUNCTION_NAME_PATTERN}`));
  const region = match[3]?.slice(0, -1);
  const name = match[10] ?? '';
  const derived = match[12];
  if (region !== undefined && region !== where.region) throw resourceNotFound(`Functions from '${region}' are not reachable in this region ('${where.region}')`);
  if (!BARE_NAME.test(name)) throw validation(validationMessage(raw, 'functionName', `Member must satisfy regular expression pattern: ${FUNCTION_NAME_PATTERN}`));
  if (name.length > 64) throw invalidParameter(validationMessage(name, 'functionName', 'Member must have length less than or equal to 64'));
  if (derived !== undefined && qualifier !== undefined && qualifier !== derived) {
    throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
  }
  const chosen = derived ?? qualifier;
  if (chosen !== undefined) checkQualifier(chosen);
  return { name, qualifier: chosen === '' ? undefined : chosen };
}

/** A qualifier is `$LATEST`, a version number or an alias name. */
export function checkQualifier(qualifier: string): void {
  if (qualifier !== '$LATEST' && !/^[a-zA-Z0-9-_$]+$/.test(qualifier)) {
    throw validation(validationMessage(qualifier, 'qualifier', 'Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)'));
  }
}

/** Alias names: letters, digits, `-` and `_`, 1 to 128 characters, not only digits (that would be a version). */
export function checkAliasName(name: string | undefined): string {
  if (name === undefined || name === '') throw validation(validationMessage(name, 'name', 'Member must not be null'));
  if (name.length > 128) throw validation(validationMessage(name, 'name', 'Member must have length less than or equal to 128'));
  if (!ALIAS_NAME.test(name)) throw validation(validationMessage(name, 'name', 'Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)'));
  return name;
}

/** True for a published version number (`7`), false for `$LATEST` and alias names. */
export function isVersionNumber(qualifier: string): boolean {
  return VERSION.test(qualifier);
}

/** True when the qualifier names an alias rather than a version. */
export function isAliasName(qualifier: string): boolean {
  return qualifier !== '$LATEST' && !isVersionNumber(qualifier);
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` */
export function functionArn(where: LambdaLocation, name: string, qualifier?: string): string {
  return `arn:aws:lambda:${where.region}:${where.accountId}:function:${name}${qualifier === undefined ? '' : `:${qualifier}`}`;
}
