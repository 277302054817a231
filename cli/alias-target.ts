import { UsageError } from './program';

/** `<function>:<alias>`; the function part may itself be an ARN (`arn:aws:lambda:…:function:name`). */
export function parseAliasTarget(text: string): { functionName: string; alias: string } {
  const colon = text.lastIndexOf(':');
  const functionName = text.slice(0, colon);
  const alias = text.slice(colon + 1);
  if (colon <= 0 || alias === '' || /:function$/.test(functionName)) {
    throw new UsageError(`expected <function>:<alias>, e.g. orders-api:live; got "${text}"`);
  }
  return { functionName, alias };
}
