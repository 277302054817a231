import type { LambdaClient } from '@aws-sdk/client-lambda';
import { GetPolicyCommand, ListAliasesCommand, ListEventSourceMappingsCommand, ListFunctionUrlConfigsCommand, ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import type { FunctionCaller } from '../model/callers';
import type { FunctionCallers } from '../ports/function-callers';
import { sdkError, translate } from './aws-errors';

/**
 * {@link FunctionCallers} over the Lambda API: ListEventSourceMappings (by function name: the
 * mappings of every qualifier), GetPolicy on the function, on each alias and on the newest
 * versions (a policy belongs to one qualifier), and ListFunctionUrlConfigs.
 */
export class LambdaCallersAdapter implements FunctionCallers {
  constructor(private readonly client: LambdaClient) {}

  async listCallers(functionName: string, options: { maxVersions: number }): Promise<{ callers: readonly FunctionCaller[]; versionsNotChecked: number }> {
    const qualifiers = await this.qualifiers(functionName);
    if (qualifiers === undefined) return { callers: [], versionsNotChecked: 0 };
    const versions = qualifiers.versions.slice(-options.maxVersions);
    const callers: FunctionCaller[] = [...(await this.mappings(functionName)), ...(await this.urls(functionName))];
    for (const qualifier of [undefined, ...qualifiers.aliases, ...versions]) callers.push(...(await this.policy(functionName, qualifier)));
    return { callers, versionsNotChecked: qualifiers.versions.length - versions.length };
  }

  /** The function's aliases and numbered versions (ascending); `undefined` when it does not exist. */
  private async qualifiers(functionName: string): Promise<{ aliases: string[]; versions: string[] } | undefined> {
    const aliases: string[] = [];
    const versions: string[] = [];
    try {
      let marker: string | undefined;
      do {
        const out = await this.client.send(new ListAliasesCommand({ FunctionName: functionName, ...(marker ? { Marker: marker } : {}) }));
        for (const alias of out.Aliases ?? []) if (alias.Name) aliases.push(alias.Name);
        marker = out.NextMarker;
      } while (marker);
      do {
        const out = await this.client.send(new ListVersionsByFunctionCommand({ FunctionName: functionName, ...(marker ? { Marker: marker } : {}) }));
        for (const fn of out.Versions ?? []) if (fn.Version && /^\d+$/.test(fn.Version)) versions.push(fn.Version);
        marker = out.NextMarker;
      } while (marker);
    } catch (error) {
      if (sdkError(error).name === 'ResourceNotFoundException') return undefined;
      throw translate(error, `ListAliases/ListVersionsByFunction ${functionName}`);
    }
    return { aliases, versions: versions.sort((a, b) => Number(a) - Number(b)) };
  }

  private async mappings(functionName: string): Promise<FunctionCaller[]> {
    const callers: FunctionCaller[] = [];
    try {
      let marker: string | undefined;
      do {
        const out = await this.client.send(new ListEventSourceMappingsCommand({ FunctionName: functionName, ...(marker ? { Marker: marker } : {}) }));
        for (const m of out.EventSourceMappings ?? []) {
          const qualifier = qualifierOf(m.FunctionArn);
          callers.push({ kind: 'eventSourceMapping', id: m.UUID ?? '?', source: m.EventSourceArn ?? m.SelfManagedEventSource?.Endpoints?.KAFKA_BOOTSTRAP_SERVERS?.join(',') ?? 'an unnamed source', ...(qualifier ? { qualifier } : {}) });
        }
        marker = out.NextMarker;
      } while (marker);
    } catch (error) {
      throw translate(error, `ListEventSourceMappings ${functionName}`);
    }
    return callers;
  }

  private async urls(functionName: string): Promise<FunctionCaller[]> {
    const callers: FunctionCaller[] = [];
    try {
      let marker: string | undefined;
      do {
        const out = await this.client.send(new ListFunctionUrlConfigsCommand({ FunctionName: functionName, ...(marker ? { Marker: marker } : {}) }));
        for (const url of out.FunctionUrlConfigs ?? []) {
          const qualifier = qualifierOf(url.FunctionArn);
          callers.push({ kind: 'functionUrl', id: url.FunctionUrl ?? '?', source: `${url.FunctionUrl ?? '?'} (auth ${url.AuthType ?? '?'})`, ...(qualifier ? { qualifier } : {}) });
        }
        marker = out.NextMarker;
      } while (marker);
    } catch (error) {
      if (sdkError(error).name === 'ResourceNotFoundException') return callers;
      throw translate(error, `ListFunctionUrlConfigs ${functionName}`);
    }
    return callers;
  }

  /** The statements of one qualifier's policy (the function's own for `undefined`) that let someone invoke it. */
  private async policy(functionName: string, qualifier: string | undefined): Promise<FunctionCaller[]> {
    let text: string | undefined;
    try {
      text = (await this.client.send(new GetPolicyCommand({ FunctionName: functionName, ...(qualifier ? { Qualifier: qualifier } : {}) }))).Policy;
    } catch (error) {
      // No policy on that qualifier (or the qualifier went away meanwhile): no caller there.
      if (sdkError(error).name === 'ResourceNotFoundException') return [];
      throw translate(error, `GetPolicy ${functionName}${qualifier ? `:${qualifier}` : ''}`);
    }
    return statementsOf(text).flatMap((statement) => {
      if (statement.Effect !== 'Allow' || !invokes(statement.Action)) return [];
      return [{ kind: 'permission' as const, id: String(statement.Sid ?? '?'), source: principalOf(statement), ...(qualifier ? { qualifier } : {}) }];
    });
  }
}

interface Statement {
  readonly Sid?: unknown;
  readonly Effect?: unknown;
  readonly Action?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

function statementsOf(text: string | undefined): Statement[] {
  try {
    const policy = JSON.parse(text ?? '{}') as { Statement?: unknown };
    const list = Array.isArray(policy.Statement) ? policy.Statement : policy.Statement ? [policy.Statement] : [];
    return list.filter((s): s is Statement => s !== null && typeof s === 'object');
  } catch {
    return [];
  }
}

/** Whether a statement's Action lets its principal invoke the function (InvokeFunction, InvokeFunctionUrl, a wildcard). */
function invokes(action: unknown): boolean {
  const actions = Array.isArray(action) ? action : [action];
  return actions.some((a) => typeof a === 'string' && /^(\*|lambda:\*|lambda:InvokeFunction(Url)?|lambda:Invoke\*)$/i.test(a));
}

/** `sns.amazonaws.com (arn:aws:sns:…:orders)`: the principal and, when the statement names it, the source. */
function principalOf(statement: Statement): string {
  const p = statement.Principal;
  let principal = '*';
  if (typeof p === 'string') principal = p;
  else if (p && typeof p === 'object') {
    const values = Object.values(p as Record<string, unknown>).flatMap((v) => (Array.isArray(v) ? v : [v]));
    principal = values.map(String).join(', ');
  }
  const conditions = Object.values(statement.Condition ?? {});
  const sourceArn = conditions.map((c) => c['AWS:SourceArn'] ?? c['aws:SourceArn']).find((v) => v !== undefined);
  return sourceArn === undefined ? principal : `${principal} (${String(sourceArn)})`;
}

/** The qualifier at the end of a function ARN (`…:function:name:live` → `live`); `undefined` for an unqualified ARN. */
function qualifierOf(arn: string | undefined): string | undefined {
  const parts = (arn ?? '').split(':');
  return parts.length > 7 ? parts.slice(7).join(':') : undefined;
}
