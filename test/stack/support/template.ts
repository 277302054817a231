import type { Template } from './package-stack';

/**
 * A CloudFormation value as one readable string: `Ref X` → `{X}`, `Fn::GetAtt [X, Arn]` →
 * `{X.Arn}`, `Fn::Sub` with its parameters inlined, `Fn::Join` joined; plain values as they are.
 * Assertions then compare ARNs as text (`arn:{AWS::Partition}:…:function:(none)`), whichever
 * intrinsic function built them.
 */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const v = value as Record<string, unknown>;
  if ('Ref' in v) return `{${String(v.Ref)}}`;
  if ('Fn::GetAtt' in v) {
    const at = v['Fn::GetAtt'];
    return `{${Array.isArray(at) ? at.join('.') : String(at)}}`;
  }
  if ('Fn::Sub' in v) {
    // `${X}` without a parameter is `Ref X` / `GetAtt X.Attr` (or a pseudo parameter): `{X}`.
    const sub = v['Fn::Sub'];
    const [text, params] = (typeof sub === 'string' ? [sub, {}] : sub) as [string, Record<string, unknown>];
    return text.replace(/\$\{([^}!]+)\}/g, (_whole, name: string) => (name in params ? render(params[name]) : `{${name}}`));
  }
  if ('Fn::Join' in v) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(separator);
  }
  return JSON.stringify(value);
}

/** A Lambda function of the template with what the tests look at. */
export interface TemplateFunction {
  /** serverless.yml key: `prepare`, `safetyNet`. */
  readonly key: string;
  readonly logicalId: string;
  /** `functions/prepare.ts`. */
  readonly sourceFile: string;
  /** The entry inside the zip: `functions/prepare.mjs`. */
  readonly bundleFile: string;
  readonly roleLogicalId: string;
  readonly properties: Record<string, unknown>;
}

/** Every `AWS::Lambda::Function` the template declares. */
export function functionsOf(template: Template): TemplateFunction[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([logicalId, r]) => {
      const p = r.Properties ?? {};
      const handler = String(p.Handler);
      const module = handler.slice(0, handler.lastIndexOf('.'));
      const role = render(p.Role);
      const roleMatch = /^\{(\w+)\.Arn\}$/.exec(role);
      if (!roleMatch) throw new Error(`${logicalId}: Role ${role} is not a role of this stack`);
      const key = logicalId.replace(/LambdaFunction$/, '');
      return { key: key.charAt(0).toLowerCase() + key.slice(1), logicalId, sourceFile: `${module}.ts`, bundleFile: `${module}.mjs`, roleLogicalId: roleMatch[1]!, properties: p };
    });
}

/** One statement of a role, with its actions and rendered resources. */
export interface Statement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly condition?: unknown;
}

/** The statements of a role's inline policies (fledge uses no managed policies); `effect` filters. */
export function statementsOf(template: Template, roleLogicalId: string, effect?: 'Allow' | 'Deny'): Statement[] {
  const role = template.Resources[roleLogicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not an AWS::IAM::Role`);
  const policies = (role.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Record<string, unknown>[] } }[];
  return policies.flatMap((policy) =>
    policy.PolicyDocument.Statement.map((s) => {
      if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new Error(`${roleLogicalId}: statement ${String(s.Sid)} has no Effect`);
      return {
        ...(typeof s.Sid === 'string' ? { sid: s.Sid } : {}),
        effect: s.Effect,
        actions: ([] as unknown[]).concat(s.Action).map(String),
        resources: ([] as unknown[]).concat(s.Resource).map(render),
        ...(s.Condition !== undefined ? { condition: s.Condition } : {}),
      } satisfies Statement;
    }),
  ).filter((s) => effect === undefined || s.effect === effect);
}

/** The resources of the given type, by logical id. */
export function resourcesOfType(template: Template, type: string): [string, NonNullable<Template['Resources'][string]>][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** The resource types of a function's asynchronous-invocation destinations (its EventInvokeConfig). */
export function destinationTypesOf(template: Template, functionLogicalId: string): string[] {
  return resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig')
    .filter(([, config]) => render(config.Properties?.FunctionName) === `{${functionLogicalId}}`)
    .flatMap(([, config]) => Object.values((config.Properties?.DestinationConfig ?? {}) as Record<string, { Destination: unknown }>))
    .map((d) => {
      const target = /^\{(\w+)\.Arn\}$/.exec(render(d.Destination))?.[1];
      const type = target ? template.Resources[target]?.Type : undefined;
      if (!type) throw new Error(`${functionLogicalId}: destination ${render(d.Destination)} is not a resource of this stack`);
      return type;
    });
}
